//! Keys a listing showed as unusable (not clean paths): finding one again from the form the
//! listing showed ([`ListedKey::exact`]), and deleting such keys. The key deleted is always the
//! one the server listed, never one built from what was typed.

use super::delete::DeleteReport;
use super::folder::Storage;
use super::listed_key::{Listed, ListedKey, unescape};
use super::remote_path::MAX_KEY_BYTES;
use crate::error::{Error, ErrorCode, Result};

impl Storage {
    /// The unusable key a listing shows as `exact` (below the person's folder), as the server
    /// lists it now; `storage.not_found` when a fresh listing has no such key.
    pub async fn find_listed(&self, exact: &str) -> Result<ListedKey> {
        let relative = unescape(exact)?;
        let prefix = format!("{}{relative}", self.folder().prefix());
        let not_found = || {
            Error::new(
                ErrorCode::StorageNotFound,
                format!("no key {exact} in your folder; list its folder to see the keys there"),
            )
        };
        if relative.is_empty() || prefix.len() > MAX_KEY_BYTES {
            return Err(not_found());
        }
        // The key itself comes first among the keys it begins; a folder's key begins them all.
        let doing = format!("looking for key {exact}");
        let page = self.first_key_below(&prefix, &doing).await?;
        let listed = match page {
            Some(key) if key == prefix || prefix.ends_with('/') => prefix,
            _ => return Err(not_found()),
        };
        match Listed::of(self.folder(), &listed)? {
            Listed::Unclean(key) => Ok(key),
            Listed::Path(path) => Err(Error::new(
                ErrorCode::StorageInvalidPath,
                format!("{exact} is an ordinary name; name it as a path ({path})"),
            )),
        }
    }

    /// Deletes keys a listing returned; a folder's (ending in `/`) with everything below it,
    /// which `recursive` must allow.
    pub async fn delete_listed(&self, keys: &[ListedKey], recursive: bool) -> Result<DeleteReport> {
        let mut all = Vec::new();
        for key in keys {
            if !key.is_folder() {
                all.push(key.key().to_owned());
                continue;
            }
            if !recursive {
                return Err(Error::new(
                    ErrorCode::StorageIsFolder,
                    format!(
                        "key {} is a folder; delete it recursively (-r) to remove its contents",
                        key.exact()
                    ),
                ));
            }
            let doing = format!("listing key {}", key.exact());
            all.push(key.key().to_owned());
            all.extend(
                self.objects_below(key.key(), &doing)
                    .await?
                    .into_iter()
                    .map(|object| object.key),
            );
        }
        self.delete_keys(all).await
    }
}

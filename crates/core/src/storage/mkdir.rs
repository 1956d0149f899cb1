//! Creating a folder: a zero-byte `name/` marker, as the S3 console does.

use super::entry::EntryKind;
use super::folder::Storage;
use super::object_client::PutObjectParams;
use super::remote_path::RemotePath;
use crate::error::{Error, ErrorCode, Result};

impl Storage {
    /// Creates `path` as a folder (parents need no markers: they exist through it). Creating a
    /// folder that exists is fine; creating one where a file is fails.
    pub async fn create_folder(&self, path: &RemotePath) -> Result<()> {
        if path.is_root() {
            return Ok(());
        }
        match self.stat(path).await {
            Ok(entry) if matches!(entry.kind, EntryKind::File { .. }) => {
                return Err(Error::new(
                    ErrorCode::StorageAlreadyExists,
                    format!("{path} is a file; choose another name for the folder"),
                ));
            }
            Ok(_) => {}
            Err(err) if err.code == ErrorCode::StorageNotFound => {}
            Err(err) => return Err(err),
        }
        let params = PutObjectParams {
            key: self.folder().dir_prefix(path)?,
            ..PutObjectParams::default()
        };
        let doing = format!("creating folder {path}");
        self.send(&doing, || self.client().put_object(&params))
            .await?;
        Ok(())
    }
}

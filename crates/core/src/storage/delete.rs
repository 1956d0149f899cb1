//! Deleting files and folders: keys batched 1,000 to a request, failures reported per key.

use serde::Serialize;

use super::folder::Storage;
use super::listed_key::Listed;
use super::listing::Stat;
use super::object_client::DeleteObjectsParams;
use super::remote_path::RemotePath;
use crate::error::{Error, ErrorCode, Result};

/// S3's limit of keys in one DeleteObjects request.
const DELETE_BATCH: usize = 1000;

/// What a delete did: `{"deleted": 3, "failed": [{"path": "docs/a.txt", "error": {"code":
/// "storage.access_denied", "message": "..."}}]}`.
#[derive(Debug, Default, Serialize)]
pub struct DeleteReport {
    /// Objects removed (files and folder markers).
    pub deleted: usize,
    /// The objects S3 refused to delete, each with why.
    pub failed: Vec<DeleteFailure>,
}

/// One thing a delete could not remove, and why.
#[derive(Debug, Serialize)]
pub struct DeleteFailure {
    /// What could not be deleted, or the folder holding it when its key is not a clean path
    /// (the error then names the key).
    pub path: RemotePath,
    /// Why, as `{code, message}`.
    pub error: Error,
}

impl DeleteReport {
    /// The report as a result: `storage.partial_failure` naming the first failures.
    pub fn into_result(self) -> Result<usize> {
        if self.failed.is_empty() {
            return Ok(self.deleted);
        }
        let listed: Vec<String> = self
            .failed
            .iter()
            .take(5)
            .map(|f| format!("{} ({})", f.path, f.error.message))
            .collect();
        Err(Error::new(
            ErrorCode::StoragePartialFailure,
            format!(
                "deleted {} but could not delete {}: {}{}",
                self.deleted,
                self.failed.len(),
                listed.join("; "),
                if self.failed.len() > 5 { "; ..." } else { "" }
            ),
        ))
    }
}

impl Storage {
    /// Deletes files, and folders with everything in them when `recursive` is set (keys that
    /// are not clean paths included: the folder is emptied). Every path is checked before
    /// anything is deleted, so a typo fails the whole command harmlessly.
    pub async fn delete(&self, paths: &[RemotePath], recursive: bool) -> Result<DeleteReport> {
        let mut keys = Vec::new();
        for path in paths {
            if path.is_root() {
                return Err(Error::new(
                    ErrorCode::StorageInvalidPath,
                    "refusing to delete your whole folder; name what to delete inside it",
                ));
            }
            match self.stat_object(path).await? {
                Stat::File(_) => keys.push(self.key(path)?),
                Stat::Folder if !recursive => {
                    return Err(Error::new(
                        ErrorCode::StorageIsFolder,
                        format!(
                            "{path} is a folder; delete it recursively (-r) to remove its contents"
                        ),
                    ));
                }
                Stat::Folder => {
                    let prefix = self.folder().dir_prefix(path)?;
                    let doing = format!("listing {path}");
                    keys.push(prefix.clone()); // its marker, if it has one
                    keys.extend(
                        self.objects_below(&prefix, &doing)
                            .await?
                            .into_iter()
                            .map(|object| object.key),
                    );
                }
            }
        }
        self.delete_keys(keys).await
    }

    /// Deletes exact keys (already under the folder), 1,000 a request.
    pub(crate) async fn delete_keys(&self, mut keys: Vec<String>) -> Result<DeleteReport> {
        keys.sort();
        keys.dedup();
        let mut report = DeleteReport::default();
        for batch in keys.chunks(DELETE_BATCH) {
            let params = DeleteObjectsParams {
                keys: batch.to_vec(),
            };
            let doing = format!("deleting {} objects", batch.len());
            let out = self
                .send(&doing, || self.client().delete_objects(&params))
                .await?;
            for error in &out.errors {
                let (path, key) = match Listed::of(self.folder(), &error.key) {
                    Ok(Listed::Path(path)) => (path, String::new()),
                    Ok(Listed::Unclean(key)) => (key.holder(), format!("key {}: ", key.exact())),
                    Err(_) => (RemotePath::root(), format!("key {:?}: ", error.key)),
                };
                report.failed.push(DeleteFailure {
                    path,
                    error: Error::new(
                        if error.code.as_deref() == Some("AccessDenied") {
                            ErrorCode::StorageAccessDenied
                        } else {
                            ErrorCode::StorageRequestFailed
                        },
                        format!(
                            "{key}{} ({})",
                            error.message.as_deref().unwrap_or("the server refused"),
                            error.code.as_deref().unwrap_or("no code")
                        ),
                    ),
                });
            }
            report.deleted += batch.len() - out.errors.len();
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reports_serialize_with_each_failure_and_its_error() {
        let report = DeleteReport {
            deleted: 3,
            failed: vec![DeleteFailure {
                path: RemotePath::parse("docs/a.txt").unwrap(),
                error: Error::new(
                    ErrorCode::StorageAccessDenied,
                    "Access Denied (AccessDenied)",
                ),
            }],
        };
        assert_eq!(
            serde_json::to_value(&report).unwrap(),
            json!({
                "deleted": 3,
                "failed": [{
                    "path": "docs/a.txt",
                    "error": {
                        "code": "storage.access_denied",
                        "message": "Access Denied (AccessDenied)",
                    },
                }],
            })
        );
    }
}

//! Dropping what a held (paused) transfer kept for its resume, when it is cancelled instead:
//! the unfinished multipart upload on the server, or the download's partial file.

use std::path::Path;

use super::events::Direction;
use super::job::JobContext;
use super::staged_file::partial_path;
use crate::storage::RemotePath;

/// Best effort, like an abort after a failure: a leftover upload only costs storage until the
/// bucket's lifecycle rule removes it, and a leftover partial file is hidden and replaced by
/// the next download of the same file.
pub(super) async fn discard_kept(
    context: &JobContext,
    direction: Direction,
    local: &Path,
    remote: &RemotePath,
) {
    let Ok(key) = context.storage.key(remote) else {
        return;
    };
    match direction {
        Direction::Upload => {
            let bucket = context.storage.bucket();
            if let Ok(Some(record)) = context.state.find_upload(local, bucket, &key) {
                context
                    .storage
                    .abort_multipart(&record.key, &record.upload_id)
                    .await;
                let _ = context.state.forget_upload(&record.upload_id);
            }
        }
        Direction::Download => {
            if let Some(partial) = partial_path(local) {
                let _ = std::fs::remove_file(partial);
            }
            let _ = context.state.forget_download(local);
        }
    }
}

//! Reading local files, kept off the async threads so that a slow disk does not hold up the
//! requests in flight.

use crate::error::{Error, Result};

/// Runs `work` on tokio's blocking pool; `what` names it should the task die.
pub(crate) async fn blocking<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::internal(format!("{what}: {e}")))?
}

//! Polling with a deadline, for states WebDriver can only be asked about (what the page shows,
//! whether a port answers), never announced.

use std::future::Future;
use std::time::Duration;

use tokio::time::{Instant, sleep};

/// How often a condition is asked about again.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// One answer of a probe.
pub(super) enum Probe<T> {
    /// The condition holds, with what it found.
    Ready(T),
    /// Not yet: what was seen instead, for the message if time runs out.
    NotYet(String),
    /// It never will (the process died): stop waiting.
    Failed(String),
}

/// Asks `probe` until it is ready or has failed, at most for `timeout`; the error says what
/// was waited for and what was seen last.
pub(super) async fn until<T, F, Fut>(
    what: &str,
    timeout: Duration,
    mut probe: F,
) -> Result<T, String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Probe<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        let seen = match probe().await {
            Probe::Ready(value) => return Ok(value),
            Probe::Failed(why) => return Err(format!("gave up waiting for {what}: {why}")),
            Probe::NotYet(seen) => seen,
        };
        if Instant::now() >= deadline {
            return Err(format!(
                "timed out after {timeout:?} waiting for {what}; last seen: {seen}"
            ));
        }
        sleep(POLL_INTERVAL).await;
    }
}

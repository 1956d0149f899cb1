//! What is retried and how: exponential backoff with jitter for failures that may pass
//! (connection errors, timeouts, 5xx, `SlowDown`); everything else fails at once. Timeouts get
//! fewer attempts than quick failures: each one has already cost a wait, and a server that
//! does not answer should end in an error within about a minute.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};

use crate::error::{Error, ErrorCode, Result};

/// Failures worth another attempt: the network or a busy or broken server.
pub fn is_retryable(err: &Error) -> bool {
    matches!(
        err.code,
        ErrorCode::NetOffline
            | ErrorCode::NetInterrupted
            | ErrorCode::NetTimeout
            | ErrorCode::StorageUnavailable
    )
}

/// How often and how patiently a failed request is tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: usize,
    /// Of those, attempts that may end in a timeout (`net.timeout`).
    pub max_timeouts: usize,
    /// Wait before the first retry; each later wait doubles (with jitter).
    pub first_delay: Duration,
    /// Longest wait between two attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            max_timeouts: 3,
            first_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Runs `op` until it succeeds, fails with a non-retryable error or runs out of attempts.
    /// `on_retry` hears of each retryable failure and the delay before the next attempt.
    pub async fn run<T, Fut>(
        &self,
        mut op: impl FnMut() -> Fut,
        mut on_retry: impl FnMut(&Error, Duration),
    ) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.first_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_attempts.saturating_sub(1))
            .with_jitter();
        // Counted across attempts of one request (atomics only to stay `Sync` in tasks).
        let attempts = AtomicUsize::new(0);
        let timeouts = AtomicUsize::new(0);
        let counted = || {
            attempts.fetch_add(1, Ordering::Relaxed);
            op()
        };
        counted
            .retry(backoff)
            .when(|err| {
                if err.code == ErrorCode::NetTimeout
                    && timeouts.fetch_add(1, Ordering::Relaxed) + 1 >= self.max_timeouts
                {
                    return false;
                }
                is_retryable(err)
            })
            .notify(|err, delay| on_retry(err, delay))
            .await
            .map_err(|mut err| {
                let attempts = attempts.load(Ordering::Relaxed);
                if is_retryable(&err) && attempts > 1 {
                    err.message = format!(
                        "{} (gave up after {attempts} attempts; try again later)",
                        err.message
                    );
                }
                err
            })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            max_timeouts: 2,
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(400),
        }
    }

    async fn run_failing(
        failures: usize,
        code: ErrorCode,
    ) -> (Result<usize>, usize, Vec<Duration>) {
        let calls = AtomicUsize::new(0);
        let mut delays = Vec::new();
        let result = policy()
            .run(
                || async {
                    let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
                    if n <= failures {
                        Err(Error::new(code, "boom"))
                    } else {
                        Ok(n)
                    }
                },
                |_, delay| delays.push(delay),
            )
            .await;
        (result, calls.load(Ordering::SeqCst), delays)
    }

    #[tokio::test(start_paused = true)]
    async fn retries_retryable_failures_then_succeeds() {
        let (result, calls, delays) = run_failing(3, ErrorCode::StorageUnavailable).await;
        assert_eq!(result.unwrap(), 4);
        assert_eq!(calls, 4);
        assert_eq!(delays.len(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn delays_grow_with_jitter_and_stay_capped() {
        let (_, _, delays) = run_failing(10, ErrorCode::NetInterrupted).await;
        assert_eq!(delays.len(), 4);
        // Base delays 100, 200, 400, 400 ms; jitter adds at most one more base delay.
        let bases = [100, 200, 400, 400].map(Duration::from_millis);
        for (delay, base) in delays.iter().zip(bases) {
            assert!(
                *delay >= base && *delay <= base * 2,
                "{delay:?} vs {base:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_max_attempts_and_says_so() {
        let (result, calls, _) = run_failing(100, ErrorCode::NetOffline).await;
        let err = result.unwrap_err();
        assert_eq!(calls, 5);
        assert_eq!(err.code, ErrorCode::NetOffline);
        assert!(
            err.message.contains("gave up after 5 attempts"),
            "{}",
            err.message
        );
    }

    #[tokio::test(start_paused = true)]
    async fn timeouts_get_fewer_attempts() {
        let (result, calls, delays) = run_failing(100, ErrorCode::NetTimeout).await;
        let err = result.unwrap_err();
        assert_eq!((calls, delays.len()), (2, 1));
        assert_eq!(err.code, ErrorCode::NetTimeout);
        assert!(
            err.message.contains("gave up after 2 attempts"),
            "{}",
            err.message
        );
    }

    #[tokio::test(start_paused = true)]
    async fn does_not_retry_other_failures() {
        for code in [
            ErrorCode::StorageNotFound,
            ErrorCode::StorageAccessDenied,
            ErrorCode::TransferSourceChanged,
        ] {
            let (result, calls, delays) = run_failing(100, code).await;
            assert_eq!(result.unwrap_err().message, "boom");
            assert_eq!((calls, delays.len()), (1, 0), "{code}");
        }
    }
}

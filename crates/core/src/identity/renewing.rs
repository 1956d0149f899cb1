//! A credentials provider for AWS clients that renews the temporary credentials before they
//! expire, one renewal at a time however many requests wait, so a transfer longer than the
//! credential lifetime never meets `ExpiredToken`.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{self, ProvideCredentials, error::CredentialsError};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::Result;

/// Renew at the latest this long before expiry (and at half the lifetime for short ones).
const MAX_RENEW_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Where fresh credentials come from (the signed-in session, or a fake in tests).
pub trait CredentialSource: Send + Sync + 'static {
    /// Fresh credentials; called once per renewal, never concurrently.
    fn fetch(&self) -> impl Future<Output = Result<Credentials>> + Send;
}

/// Caches credentials and renews them through the source when due. The lock is held across the
/// renewal: callers arriving meanwhile wait for it and share its result (single flight).
/// Clones share the cache, so every AWS client of a session renews through one place.
pub struct RenewingCredentials<S> {
    shared: Arc<Shared<S>>,
}

struct Shared<S> {
    source: S,
    cached: Mutex<Option<Cached>>,
}

impl<S> Clone for RenewingCredentials<S> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

struct Cached {
    credentials: Credentials,
    renew_at: Instant,
}

impl<S> fmt::Debug for RenewingCredentials<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RenewingCredentials")
            .finish_non_exhaustive()
    }
}

impl<S: CredentialSource> RenewingCredentials<S> {
    /// Credentials from `source`, fetched on first use.
    pub fn new(source: S) -> Self {
        Self {
            shared: Arc::new(Shared {
                source,
                cached: Mutex::new(None),
            }),
        }
    }

    /// Valid credentials: the cached ones, or fresh ones when renewal is due. A failed renewal
    /// is returned as is (no retry here: the source decides what is terminal).
    pub async fn credentials(&self) -> Result<Credentials> {
        let mut cached = self.shared.cached.lock().await;
        if let Some(current) = cached.as_ref()
            && Instant::now() < current.renew_at
        {
            return Ok(current.credentials.clone());
        }
        let fresh = self.shared.source.fetch().await?;
        *cached = Some(Cached {
            renew_at: renew_at(fresh.expiry()),
            credentials: fresh.clone(),
        });
        Ok(fresh)
    }

    /// When the cached credentials expire, if any are cached.
    pub async fn expiry(&self) -> Option<SystemTime> {
        self.shared
            .cached
            .lock()
            .await
            .as_ref()
            .and_then(|c| c.credentials.expiry())
    }

    /// Drops the cached credentials (after sign-out).
    pub async fn clear(&self) {
        *self.shared.cached.lock().await = None;
    }
}

/// The moment to renew: `min(5 min, lifetime / 2)` before expiry.
fn renew_at(expiry: Option<SystemTime>) -> Instant {
    let now = Instant::now();
    let Some(expiry) = expiry else {
        return now + MAX_RENEW_MARGIN;
    };
    let lifetime = expiry
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO);
    now + lifetime - (lifetime / 2).min(MAX_RENEW_MARGIN)
}

impl<S: CredentialSource> ProvideCredentials for RenewingCredentials<S> {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(async move {
            self.credentials()
                .await
                .map_err(CredentialsError::provider_error)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::error::{Error, ErrorCode};

    /// Hands out credentials valid for `lifetime`, counting calls; fails when `fail` is set.
    struct FakeSource {
        calls: AtomicUsize,
        lifetime: Duration,
        fail: std::sync::atomic::AtomicBool,
    }

    impl CredentialSource for Arc<FakeSource> {
        async fn fetch(&self) -> Result<Credentials> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await; // the network, in paused time
            if self.fail.load(Ordering::SeqCst) {
                return Err(Error::new(ErrorCode::AuthSessionExpired, "signed out"));
            }
            Ok(Credentials::new(
                format!("AKID{n}"),
                "secret",
                Some("token".into()),
                Some(SystemTime::now() + self.lifetime),
                "fake",
            ))
        }
    }

    fn provider(lifetime: Duration) -> (Arc<FakeSource>, RenewingCredentials<Arc<FakeSource>>) {
        let source = Arc::new(FakeSource {
            calls: AtomicUsize::new(0),
            lifetime,
            fail: Default::default(),
        });
        (Arc::clone(&source), RenewingCredentials::new(source))
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_renewal() {
        let (source, provider) = provider(Duration::from_secs(3600));
        let waiters: Vec<_> = (0..50)
            .map(|_| {
                let provider = provider.clone();
                tokio::spawn(async move { provider.credentials().await.unwrap() })
            })
            .collect();
        for waiter in waiters {
            assert_eq!(waiter.await.unwrap().access_key_id(), "AKID0");
        }
        assert_eq!(source.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn renews_at_half_of_a_short_lifetime() {
        let (source, provider) = provider(Duration::from_secs(10));
        provider.credentials().await.unwrap();
        tokio::time::advance(Duration::from_secs(4)).await;
        assert_eq!(
            provider.credentials().await.unwrap().access_key_id(),
            "AKID0"
        );
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(
            provider.credentials().await.unwrap().access_key_id(),
            "AKID1"
        );
        assert_eq!(source.calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn long_lifetimes_renew_five_minutes_early() {
        let now = Instant::now();
        let at = renew_at(Some(SystemTime::now() + Duration::from_secs(3600)));
        let early = (now + Duration::from_secs(3600)) - at;
        assert!(
            early >= MAX_RENEW_MARGIN - Duration::from_secs(1)
                && early <= MAX_RENEW_MARGIN + Duration::from_secs(1),
            "{early:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_renewal_reaches_the_sdk_caller_once() {
        let (source, provider) = provider(Duration::from_secs(3600));
        source.fail.store(true, Ordering::SeqCst);
        let err = provider.provide_credentials().await.unwrap_err();
        assert!(matches!(err, CredentialsError::ProviderError(_)), "{err:?}");
        assert_eq!(source.calls.load(Ordering::SeqCst), 1);
    }
}

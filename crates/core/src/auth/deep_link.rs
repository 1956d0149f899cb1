//! The deep-link receiver: the OS hands the app a `cubby://...` URL (from a browser redirect, or
//! from anyone who runs the binary with an argument), and the shell passes it here. Only a URL
//! carrying the `state` of the one pending sign-in gets through; anything else is refused and
//! leaves the pending sign-in untouched.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::oneshot;
use url::Url;

use super::callback::state_matches;
use crate::error::{Error, ErrorCode, Result};

/// Holds at most one pending sign-in. Share one per app (e.g. in an `Arc`).
#[derive(Debug, Default)]
pub struct DeepLinkReceiver {
    pending: Mutex<Option<Pending>>,
}

#[derive(Debug)]
struct Pending {
    state: String,
    sender: oneshot::Sender<Url>,
}

/// The waiting side of a pending sign-in.
#[derive(Debug)]
pub struct DeepLinkWait {
    receiver: oneshot::Receiver<Url>,
}

impl DeepLinkReceiver {
    /// A receiver with no sign-in waiting.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts waiting for the callback of the sign-in with `state`. A sign-in still pending is
    /// replaced: its wait ends as cancelled, since one sign-in at a time can be completed.
    pub fn expect(&self, state: &str) -> DeepLinkWait {
        let (sender, receiver) = oneshot::channel();
        *self.pending.lock().expect("pending lock") = Some(Pending {
            state: state.to_owned(),
            sender,
        });
        DeepLinkWait { receiver }
    }

    /// Hands over a URL the OS delivered. Refused when no sign-in is pending or the `state`
    /// differs; the pending sign-in then stays as it was.
    pub fn deliver(&self, url: &Url) -> Result<()> {
        let mut pending = self.pending.lock().expect("pending lock");
        let Some(current) = pending.as_ref() else {
            return Err(Error::new(
                ErrorCode::AuthNoPendingSignIn,
                "a sign-in link arrived but no sign-in is in progress; it was ignored (start the sign-in from Cubby)",
            ));
        };
        let state = url
            .query_pairs()
            .find(|(key, _)| key == "state")
            .map(|(_, value)| value.into_owned());
        if !state_matches(state.as_deref(), &current.state) {
            return Err(Error::new(
                ErrorCode::AuthStateMismatch,
                "a sign-in link arrived that does not belong to the sign-in in progress (state mismatch); it was ignored",
            ));
        }
        let current = pending.take().expect("checked above");
        // The waiter may have given up (timeout); the URL then completes nothing.
        let _ = current.sender.send(url.clone());
        Ok(())
    }
}

impl DeepLinkWait {
    /// The delivered callback URL, or a timeout / cancellation error.
    pub async fn wait(self, timeout: Duration) -> Result<Url> {
        match tokio::time::timeout(timeout, self.receiver).await {
            Ok(Ok(url)) => Ok(url),
            Ok(Err(_)) => Err(Error::new(
                ErrorCode::AuthCancelled,
                "this sign-in was replaced by a newer one",
            )),
            Err(_) => Err(Error::new(
                ErrorCode::AuthTimeout,
                format!(
                    "no sign-in answer arrived within {} s; sign in again",
                    timeout.as_secs()
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(query: &str) -> Url {
        Url::parse(&format!("cubby://auth/callback?{query}")).unwrap()
    }

    #[tokio::test]
    async fn only_the_pending_state_gets_through_once() {
        let receiver = DeepLinkReceiver::new();
        assert_eq!(
            receiver.deliver(&link("code=c&state=s1")).unwrap_err().code,
            ErrorCode::AuthNoPendingSignIn
        );
        let wait = receiver.expect("s1");
        assert_eq!(
            receiver
                .deliver(&link("code=forged&state=evil"))
                .unwrap_err()
                .code,
            ErrorCode::AuthStateMismatch
        );
        assert_eq!(
            receiver.deliver(&link("code=forged")).unwrap_err().code,
            ErrorCode::AuthStateMismatch
        );
        receiver.deliver(&link("code=c&state=s1")).unwrap();
        assert_eq!(
            wait.wait(Duration::from_secs(5)).await.unwrap(),
            link("code=c&state=s1")
        );
        assert_eq!(
            receiver.deliver(&link("code=c&state=s1")).unwrap_err().code,
            ErrorCode::AuthNoPendingSignIn,
            "a replayed link completes nothing"
        );
    }

    #[tokio::test]
    async fn a_newer_sign_in_cancels_the_older_one() {
        let receiver = DeepLinkReceiver::new();
        let first = receiver.expect("s1");
        let _second = receiver.expect("s2");
        assert_eq!(
            receiver.deliver(&link("code=c&state=s1")).unwrap_err().code,
            ErrorCode::AuthStateMismatch
        );
        assert_eq!(
            first.wait(Duration::from_secs(5)).await.unwrap_err().code,
            ErrorCode::AuthCancelled
        );
    }

    #[tokio::test(start_paused = true)]
    async fn times_out() {
        let receiver = DeepLinkReceiver::new();
        let wait = receiver.expect("s1");
        assert_eq!(
            wait.wait(Duration::from_secs(300)).await.unwrap_err().code,
            ErrorCode::AuthTimeout
        );
    }
}

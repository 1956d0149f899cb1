//! The loopback listener's accept loop. An accept can fail for reasons that last (the process is
//! out of file handles, EMFILE): trying again at once would spin a core until they pass, so each
//! failure pauses, from a few milliseconds doubling up to a second, and a success starts over.

use std::future::Future;
use std::io;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The pause after the first failed accept in a row.
const FIRST_PAUSE: Duration = Duration::from_millis(10);
/// The longest pause between two failed accepts.
const LONGEST_PAUSE: Duration = Duration::from_secs(1);

/// What the accept loop needs of a listening socket; tests put a failing one in its place.
pub(super) trait Listener: Send + 'static {
    /// A connection.
    type Stream: Send;
    /// The next connection.
    fn accept(&self) -> impl Future<Output = io::Result<Self::Stream>> + Send;
}

impl Listener for TcpListener {
    type Stream = TcpStream;

    async fn accept(&self) -> io::Result<TcpStream> {
        TcpListener::accept(self).await.map(|(stream, _)| stream)
    }
}

/// Hands each accepted connection to `serve` until `stop` closes; returning drops (closes) the
/// listener.
pub(super) async fn accept_loop<L: Listener>(
    listener: L,
    serve: impl Fn(L::Stream) + Send,
    mut stop: watch::Receiver<()>,
) {
    let mut pause = FIRST_PAUSE;
    loop {
        let accepted = tokio::select! {
            _ = stop.changed() => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok(stream) => {
                pause = FIRST_PAUSE;
                serve(stream);
            }
            Err(err) => {
                tracing::warn!(%err, ?pause, "the sign-in listener cannot accept a connection; trying again after a pause");
                tokio::select! {
                    _ = stop.changed() => return,
                    () = tokio::time::sleep(pause) => {}
                }
                pause = (pause * 2).min(LONGEST_PAUSE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Calls after which [`OutOfFiles`] stops answering, so a loop that spins ends the test
    /// with a count instead of hanging it.
    const SPIN_LIMIT: usize = 10_000;

    /// A listener whose process is out of file handles: every accept fails at once.
    struct OutOfFiles {
        calls: Arc<AtomicUsize>,
    }

    impl Listener for OutOfFiles {
        type Stream = ();

        fn accept(&self) -> impl Future<Output = io::Result<()>> + Send {
            let calls = self.calls.fetch_add(1, Ordering::Relaxed) + 1;
            async move {
                if calls > SPIN_LIMIT {
                    std::future::pending::<()>().await;
                }
                Err(io::Error::other("Too many open files (os error 24)"))
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn failing_accepts_back_off_instead_of_spinning() {
        let calls = Arc::new(AtomicUsize::new(0));
        let listener = OutOfFiles {
            calls: Arc::clone(&calls),
        };
        let (stop, stopped) = watch::channel(());
        let accepting = tokio::spawn(accept_loop(listener, |()| {}, stopped));
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(stop);
        accepting.await.unwrap();
        // 10 ms doubling to 1 s: 8 tries in the first 1.3 s, then one a second.
        let calls = calls.load(Ordering::Relaxed);
        assert!(calls <= 20, "{calls} accepts in 10 s");
    }
}

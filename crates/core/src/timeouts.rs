//! How long Cubby waits on the network before it calls a request failed, for the S3 client
//! and the identity pool's client alike: no request may hang, and no transfer that still moves
//! may be cut.

use std::time::Duration;

/// Network time limits. The defaults end a request to a server that accepted and never
/// answers within about a minute, retries included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening a connection.
    pub connect: Duration,
    /// Silence within one attempt: no byte of the request taken and none of the answer received
    /// for this long ends it. S3 requests are bounded by this alone, since a large part on a
    /// slow link may rightly take hours; the identity pool's small calls also get it as their
    /// whole attempt.
    pub idle: Duration,
    /// One identity-pool call with its retries.
    pub call: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            idle: Duration::from_secs(20),
            call: Duration::from_secs(60),
        }
    }
}

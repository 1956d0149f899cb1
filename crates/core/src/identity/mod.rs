//! From a checked id token to temporary AWS credentials: the Cognito identity pool (enhanced
//! flow, PROTOCOLS.md §3) and a credentials provider for AWS clients that renews them in time.

mod pool;
mod renewing;

pub use pool::IdentityPool;
pub use renewing::{CredentialSource, RenewingCredentials};

use std::path::PathBuf;

/// Why localcloud could not start or do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum LocalCloudError {
    #[error("cannot use data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("state file {path} is corrupt ({reason}); move it away to start fresh")]
    CorruptState { path: PathBuf, reason: String },
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid user {email:?}: {reason}")]
    InvalidUser { email: String, reason: String },
    #[error("invalid configuration: {0}")]
    Config(String),
}

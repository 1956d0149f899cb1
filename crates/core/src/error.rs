//! The one error type that crosses into every front end as `{code, message}`.
//!
//! Codes are stable dotted strings the UI and scripts branch on; messages are for people and
//! say what to do next. The source chain is kept for logs but never serialized.

use std::fmt;

use serde::{Serialize, Serializer};

/// Stable error codes. The serialized form (`auth.cancelled`, ...) is part of the public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A config file or profile field is wrong; the message names it.
    ConfigInvalid,
    /// There is no config file where one was expected.
    ConfigNotFound,
    /// No profile of that name (or no default profile).
    ConfigProfileNotFound,
    /// The person cancelled the sign-in.
    AuthCancelled,
    /// A callback carried another sign-in's `state`.
    AuthStateMismatch,
    /// A callback URL that is not a sign-in answer.
    AuthCallbackInvalid,
    /// The sign-in page answered with an error.
    AuthProviderError,
    /// The sign-in was not finished in time.
    AuthTimeout,
    /// None of the loopback callback ports could be opened.
    AuthPortBusy,
    /// A callback arrived with no sign-in waiting for it.
    AuthNoPendingSignIn,
    /// The token endpoint refused the authorization code.
    AuthCodeRejected,
    /// An id token failed its checks.
    AuthIdTokenInvalid,
    /// The session expired or was revoked: sign in again.
    AuthSessionExpired,
    /// No session is stored for this profile.
    AuthNotSignedIn,
    /// A sign-in server answered something Cubby cannot read.
    AuthUnexpectedResponse,
    /// The identity pool refused the id token.
    IdentityRefused,
    /// The OS keyring cannot be reached.
    SecretsUnavailable,
    /// What the keyring holds for Cubby cannot be read.
    SecretsCorrupt,
    /// A server cannot be reached.
    NetOffline,
    /// A connection broke off mid-request.
    NetInterrupted,
    /// Nothing moved on a connection for too long.
    NetTimeout,
    /// A local file operation failed.
    Io,
    /// A path that cannot name anything in the folder.
    StorageInvalidPath,
    /// Nothing at that path.
    StorageNotFound,
    /// Something is already there.
    StorageAlreadyExists,
    /// A folder where a file was expected.
    StorageIsFolder,
    /// The policy does not allow it (outside the person's folder).
    StorageAccessDenied,
    /// The storage server refused the credentials.
    StorageCredentialsRejected,
    /// The storage server is busy or failing (retried).
    StorageUnavailable,
    /// The storage server refused the request.
    StorageRequestFailed,
    /// Some items of a batch failed; the message lists them.
    StoragePartialFailure,
    /// An object changed on the server between two steps of one operation.
    StorageSourceChanged,
    /// A file changed while it was being uploaded.
    TransferSourceChanged,
    /// A local file cannot be read.
    TransferLocalRead,
    /// A local file cannot be written.
    TransferLocalWrite,
    /// A remote name cannot exist as a local file name here.
    TransferInvalidLocalName,
    /// Downloaded bytes do not match what was stored.
    TransferIntegrity,
    /// The transfer was cancelled.
    TransferCancelled,
    /// The transfer state database failed.
    TransferStateDb,
    /// Two sources of one transfer would land on one destination.
    TransferNameClash,
    /// A bug: something Cubby did not expect.
    Internal,
}

impl ErrorCode {
    /// The stable dotted form, such as `auth.cancelled`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConfigInvalid => "config.invalid",
            Self::ConfigNotFound => "config.not_found",
            Self::ConfigProfileNotFound => "config.profile_not_found",
            Self::AuthCancelled => "auth.cancelled",
            Self::AuthStateMismatch => "auth.state_mismatch",
            Self::AuthCallbackInvalid => "auth.callback_invalid",
            Self::AuthProviderError => "auth.provider_error",
            Self::AuthTimeout => "auth.timeout",
            Self::AuthPortBusy => "auth.port_busy",
            Self::AuthNoPendingSignIn => "auth.no_pending_sign_in",
            Self::AuthCodeRejected => "auth.code_rejected",
            Self::AuthIdTokenInvalid => "auth.id_token_invalid",
            Self::AuthSessionExpired => "auth.session_expired",
            Self::AuthNotSignedIn => "auth.not_signed_in",
            Self::AuthUnexpectedResponse => "auth.unexpected_response",
            Self::IdentityRefused => "identity.refused",
            Self::SecretsUnavailable => "secrets.unavailable",
            Self::SecretsCorrupt => "secrets.corrupt",
            Self::NetOffline => "net.offline",
            Self::NetInterrupted => "net.interrupted",
            Self::NetTimeout => "net.timeout",
            Self::Io => "io.error",
            Self::StorageInvalidPath => "storage.invalid_path",
            Self::StorageNotFound => "storage.not_found",
            Self::StorageAlreadyExists => "storage.already_exists",
            Self::StorageIsFolder => "storage.is_folder",
            Self::StorageAccessDenied => "storage.access_denied",
            Self::StorageCredentialsRejected => "storage.credentials_rejected",
            Self::StorageUnavailable => "storage.unavailable",
            Self::StorageRequestFailed => "storage.request_failed",
            Self::StoragePartialFailure => "storage.partial_failure",
            Self::StorageSourceChanged => "storage.source_changed",
            Self::TransferSourceChanged => "transfer.source_changed",
            Self::TransferLocalRead => "transfer.local_read_failed",
            Self::TransferLocalWrite => "transfer.local_write_failed",
            Self::TransferInvalidLocalName => "transfer.invalid_local_name",
            Self::TransferIntegrity => "transfer.integrity_mismatch",
            Self::TransferCancelled => "transfer.cancelled",
            Self::TransferStateDb => "transfer.state_db",
            Self::TransferNameClash => "transfer.name_clash",
            Self::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A failure with a stable code and a message that tells the person what to do.
#[derive(Debug, thiserror::Error, Serialize)]
#[error("{message}")]
pub struct Error {
    /// What went wrong, for programs to branch on.
    pub code: ErrorCode,
    /// What went wrong and what to do, for people.
    pub message: String,
    #[serde(skip)]
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// Cubby's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with `code` and a message for people.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            source: None,
        }
    }

    /// Keeps the underlying error for logs; it never reaches the message shown to people.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Puts where the error happened in front of the message (a file, a profile, a path).
    pub fn prefixed(mut self, place: impl std::fmt::Display) -> Self {
        self.message = format!("{place}: {}", self.message);
        self
    }

    /// `internal`: a bug, not something the person can mend.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    /// The one terminal state of a session: signed out, sign in again.
    pub fn session_expired() -> Self {
        Self::new(
            ErrorCode::AuthSessionExpired,
            "you are signed out (the session expired or was revoked); sign in again",
        )
    }

    /// Nothing at `path` in the person's folder.
    pub fn not_found(path: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorCode::StorageNotFound,
            format!("{path}: no such file or folder; list the parent folder to see what is there"),
        )
    }

    /// A transfer the person (or the program) stopped.
    pub fn cancelled() -> Self {
        Self::new(ErrorCode::TransferCancelled, "the transfer was cancelled")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message_only() {
        let err = Error::new(
            ErrorCode::ConfigInvalid,
            "profile 'work': field `bucket` is empty",
        )
        .with_source(std::io::Error::other("hidden detail"));
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "config.invalid",
                "message": "profile 'work': field `bucket` is empty"
            })
        );
    }
}

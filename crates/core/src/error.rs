//! The one error type that crosses into every front end as `{code, message}`.
//!
//! Codes are stable dotted strings the UI and scripts branch on; messages are for people and
//! say what to do next. The source chain is kept for logs but never serialized.

use std::fmt;

use serde::{Serialize, Serializer};

/// Stable error codes. The serialized form (`auth.cancelled`, ...) is part of the public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    ConfigInvalid,
    ConfigNotFound,
    ConfigProfileNotFound,
    AuthCancelled,
    AuthStateMismatch,
    AuthCallbackInvalid,
    AuthProviderError,
    AuthTimeout,
    AuthPortBusy,
    AuthNoPendingSignIn,
    AuthCodeRejected,
    AuthIdTokenInvalid,
    AuthSessionExpired,
    AuthNotSignedIn,
    AuthUnexpectedResponse,
    IdentityRefused,
    SecretsUnavailable,
    SecretsCorrupt,
    NetOffline,
    NetInterrupted,
    /// Nothing moved on a connection for too long.
    NetTimeout,
    Io,
    StorageInvalidPath,
    StorageNotFound,
    StorageAlreadyExists,
    StorageIsFolder,
    StorageAccessDenied,
    StorageCredentialsRejected,
    StorageUnavailable,
    StorageRequestFailed,
    StoragePartialFailure,
    /// An object changed on the server between two steps of one operation.
    StorageSourceChanged,
    TransferSourceChanged,
    TransferLocalRead,
    TransferLocalWrite,
    TransferInvalidLocalName,
    TransferIntegrity,
    TransferCancelled,
    TransferStateDb,
    /// Two sources of one transfer would land on one destination.
    TransferNameClash,
    Internal,
}

impl ErrorCode {
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
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip)]
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
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

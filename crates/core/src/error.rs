//! The one error type that crosses into every front end as `{code, message}`.
//!
//! Codes are stable dotted strings the UI and scripts branch on; messages are for people and
//! say what to do next. The source chain is kept for logs but never serialized.

use std::fmt;

use serde::{Serialize, Serializer};

/// Declares [`ErrorCode`] with each code's stable dotted form, and the list of all of them,
/// from one table: a code cannot be added without its text, nor left out of the list.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident => $text:literal,)*) => {
        /// Stable error codes. The serialized form (`auth.cancelled`, ...) is part of the public API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the order declared (the UI's list is checked against it).
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The stable dotted form, such as `auth.cancelled`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }
        }
    };
}

error_codes! {
    /// A config file or profile field is wrong; the message names it.
    ConfigInvalid => "config.invalid",
    /// There is no config file where one was expected.
    ConfigNotFound => "config.not_found",
    /// No profile of that name (or no default profile).
    ConfigProfileNotFound => "config.profile_not_found",
    /// The person cancelled the sign-in.
    AuthCancelled => "auth.cancelled",
    /// A callback carried another sign-in's `state`.
    AuthStateMismatch => "auth.state_mismatch",
    /// A callback URL that is not a sign-in answer.
    AuthCallbackInvalid => "auth.callback_invalid",
    /// The sign-in page answered with an error.
    AuthProviderError => "auth.provider_error",
    /// The sign-in was not finished in time.
    AuthTimeout => "auth.timeout",
    /// None of the loopback callback ports could be opened.
    AuthPortBusy => "auth.port_busy",
    /// A callback arrived with no sign-in waiting for it.
    AuthNoPendingSignIn => "auth.no_pending_sign_in",
    /// The token endpoint refused the authorization code.
    AuthCodeRejected => "auth.code_rejected",
    /// An id token failed its checks.
    AuthIdTokenInvalid => "auth.id_token_invalid",
    /// The session expired or was revoked: sign in again.
    AuthSessionExpired => "auth.session_expired",
    /// No session is stored for this profile.
    AuthNotSignedIn => "auth.not_signed_in",
    /// A sign-in server answered something Cubby cannot read.
    AuthUnexpectedResponse => "auth.unexpected_response",
    /// The identity pool refused the id token.
    IdentityRefused => "identity.refused",
    /// The OS keyring cannot be reached.
    SecretsUnavailable => "secrets.unavailable",
    /// What the keyring holds for Cubby cannot be read.
    SecretsCorrupt => "secrets.corrupt",
    /// A server cannot be reached.
    NetOffline => "net.offline",
    /// A connection broke off mid-request.
    NetInterrupted => "net.interrupted",
    /// Nothing moved on a connection for too long.
    NetTimeout => "net.timeout",
    /// A local file operation failed.
    Io => "io.error",
    /// A path that cannot name anything in the folder.
    StorageInvalidPath => "storage.invalid_path",
    /// Nothing at that path.
    StorageNotFound => "storage.not_found",
    /// Something is already there.
    StorageAlreadyExists => "storage.already_exists",
    /// A folder where a file was expected.
    StorageIsFolder => "storage.is_folder",
    /// The policy does not allow it (outside the person's folder).
    StorageAccessDenied => "storage.access_denied",
    /// The storage server refused the credentials.
    StorageCredentialsRejected => "storage.credentials_rejected",
    /// The storage server is busy or failing (retried).
    StorageUnavailable => "storage.unavailable",
    /// The storage server refused the request.
    StorageRequestFailed => "storage.request_failed",
    /// Some items of a batch failed; the message lists them.
    StoragePartialFailure => "storage.partial_failure",
    /// An object changed on the server between two steps of one operation.
    StorageSourceChanged => "storage.source_changed",
    /// A file changed while it was being uploaded.
    TransferSourceChanged => "transfer.source_changed",
    /// A local file cannot be read.
    TransferLocalRead => "transfer.local_read_failed",
    /// A local file cannot be written.
    TransferLocalWrite => "transfer.local_write_failed",
    /// A remote name cannot exist as a local file name here.
    TransferInvalidLocalName => "transfer.invalid_local_name",
    /// Downloaded bytes do not match what was stored.
    TransferIntegrity => "transfer.integrity_mismatch",
    /// The transfer was cancelled.
    TransferCancelled => "transfer.cancelled",
    /// The transfer state database failed.
    TransferStateDb => "transfer.state_db",
    /// Two sources of one transfer would land on one destination.
    TransferNameClash => "transfer.name_clash",
    /// A sync would delete more files than the deletion guard allows without asking.
    SyncDeletionGuard => "sync.deletion_guard",
    /// Another process is syncing the same pair of folders.
    SyncLocked => "sync.locked",
    /// The sync state database failed.
    SyncStateDb => "sync.state_db",
    /// A sync pair's folders cannot be used (missing, not a folder, inside another pair).
    SyncInvalidPair => "sync.invalid_pair",
    /// A sync ran, but some files could not be synced (each one was reported).
    SyncIncomplete => "sync.incomplete",
    /// A bug: something Cubby did not expect.
    Internal => "internal",
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

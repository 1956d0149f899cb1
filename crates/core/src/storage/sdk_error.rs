//! Turning an S3 SDK failure into a Cubby error: a stable code (which also decides whether it
//! is retried) and a message that says what happened and what to do.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

use super::idle_timeout::Silence;
use crate::error::{Error, ErrorCode};

/// What went wrong, without the operation: the caller puts what it was doing in front.
pub(crate) fn from_sdk<E>(err: SdkError<E, HttpResponse>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if let Some(silence) = Silence::in_chain(&err).map(ToString::to_string) {
        return Error::new(
            ErrorCode::NetTimeout,
            format!("the storage server went silent ({silence}); check your connection"),
        )
        .with_source(err);
    }
    const TIMED_OUT: &str = "the storage server did not answer in time; check your connection";
    let status = err.raw_response().map(|r| r.status().as_u16());
    let (code, problem) = match &err {
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            (ErrorCode::NetTimeout, TIMED_OUT.to_owned())
        }
        SdkError::TimeoutError(_) => (ErrorCode::NetTimeout, TIMED_OUT.to_owned()),
        SdkError::DispatchFailure(failure) if failure.is_io() => (
            ErrorCode::NetOffline,
            "cannot reach the storage server; check your connection".to_owned(),
        ),
        SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => (
            ErrorCode::NetInterrupted,
            "the connection to the storage server was interrupted".to_owned(),
        ),
        _ => classify_service_error(err.code(), err.message(), status),
    };
    Error::new(code, problem).with_source(err)
}

fn classify_service_error(
    code: Option<&str>,
    message: Option<&str>,
    status: Option<u16>,
) -> (ErrorCode, String) {
    let detail = match (code, message) {
        (Some(code), Some(message)) => format!(" ({code}: {message})"),
        (Some(code), None) => format!(" ({code})"),
        _ => status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(),
    };
    match (code, status) {
        (
            Some("ExpiredToken" | "InvalidAccessKeyId" | "SignatureDoesNotMatch" | "InvalidToken"),
            _,
        ) => (
            ErrorCode::StorageCredentialsRejected,
            format!("the server rejected your credentials{detail}; sign in again"),
        ),
        (Some("NoSuchKey" | "NotFound" | "NoSuchUpload"), _) | (_, Some(404)) => {
            (ErrorCode::StorageNotFound, format!("not found{detail}"))
        }
        (Some("PreconditionFailed"), _) | (_, Some(412)) => (
            ErrorCode::StorageSourceChanged,
            format!("the object changed on the server meanwhile{detail}"),
        ),
        (Some("AccessDenied"), _) | (_, Some(403)) => (
            ErrorCode::StorageAccessDenied,
            format!("access denied{detail}; your sign-in only reaches your own folder"),
        ),
        (Some("SlowDown" | "RequestTimeout" | "InternalError" | "ServiceUnavailable"), _)
        | (_, Some(429 | 500..=599)) => (
            ErrorCode::StorageUnavailable,
            format!("the storage server is busy or failing{detail}"),
        ),
        _ => (
            ErrorCode::StorageRequestFailed,
            format!("the storage server refused the request{detail}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_map_to_codes() {
        let cases = [
            (Some("SlowDown"), Some(503), ErrorCode::StorageUnavailable),
            (None, Some(500), ErrorCode::StorageUnavailable),
            (Some("NoSuchKey"), Some(404), ErrorCode::StorageNotFound),
            (None, Some(404), ErrorCode::StorageNotFound),
            (
                Some("AccessDenied"),
                Some(403),
                ErrorCode::StorageAccessDenied,
            ),
            (
                Some("ExpiredToken"),
                Some(400),
                ErrorCode::StorageCredentialsRejected,
            ),
            (
                Some("PreconditionFailed"),
                Some(412),
                ErrorCode::StorageSourceChanged,
            ),
            (
                Some("InvalidArgument"),
                Some(400),
                ErrorCode::StorageRequestFailed,
            ),
        ];
        for (code, status, expected) in cases {
            let (got, message) = classify_service_error(code, Some("msg"), status);
            assert_eq!(got, expected, "{code:?} {status:?}");
            if let Some(code) = code {
                assert!(message.contains(code), "{message}");
            }
        }
    }
}

//! Share links: presigned GETs that anyone with the link can open until it expires.

use std::time::{Duration, SystemTime};

use aws_credential_types::provider::ProvideCredentials;
use serde::Serialize;

use super::entry::EntryKind;
use super::folder::Storage;
use super::object_client::PresignGetParams;
use super::remote_path::RemotePath;
use crate::error::{Error, ErrorCode, Result};

/// S3's longest presigned URL lifetime.
pub const MAX_SHARE: Duration = Duration::from_secs(7 * 24 * 3600);

/// A link to one file, in [`crate::wire`]'s conventions: `{"url": "https://...",
/// "expires_at": "2020-09-13T13:26:40Z", "limited_by": "credentials_expiry" | null}`.
#[derive(Debug, Clone, Serialize)]
pub struct ShareLink {
    /// The presigned GET; anyone who has it can download the file until it expires.
    pub url: String,
    /// When the link stops working.
    #[serde(serialize_with = "crate::wire::time")]
    pub expires_at: SystemTime,
    /// Set when the link lives shorter than asked, and why.
    pub limited_by: Option<ShareLimit>,
}

/// Why a link lives shorter than asked; serialized as `"credentials_expiry"` or
/// `"seven_day_maximum"` for a UI to branch on, with [`Self::explain`] as the words to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareLimit {
    /// A presigned URL stops working when the credentials that signed it expire.
    CredentialsExpiry,
    /// S3 refuses presigned URLs valid longer than 7 days.
    SevenDayMaximum,
}

impl ShareLimit {
    /// Why the link is shorter, and what to do about it, for people.
    pub fn explain(self) -> &'static str {
        match self {
            Self::CredentialsExpiry => {
                "a link cannot outlive the temporary credentials that signed it; share again after signing in later for a fresh link"
            }
            Self::SevenDayMaximum => "S3 allows share links of at most 7 days",
        }
    }
}

impl Storage {
    /// A link to download the file at `path`, valid for `wanted` or less (see [`ShareLink::limited_by`]).
    pub async fn share_link(&self, path: &RemotePath, wanted: Duration) -> Result<ShareLink> {
        if let EntryKind::Folder = self.stat(path).await?.kind {
            return Err(Error::new(
                ErrorCode::StorageIsFolder,
                format!("{path} is a folder; share links are for single files"),
            ));
        }
        let now = SystemTime::now();
        let credentials_left = match self.credentials() {
            Some(provider) => {
                let credentials = provider.provide_credentials().await.map_err(|err| {
                    Error::new(
                        ErrorCode::StorageCredentialsRejected,
                        format!("no credentials to sign a share link ({err}); sign in again"),
                    )
                })?;
                credentials
                    .expiry()
                    .map(|expiry| expiry.duration_since(now).unwrap_or_default())
            }
            None => None,
        };
        let (lifetime, limited_by) = clamp(wanted, credentials_left);
        if lifetime < Duration::from_secs(1) {
            return Err(Error::new(
                ErrorCode::StorageCredentialsRejected,
                "your credentials expire now; sign in again to share",
            ));
        }
        let params = PresignGetParams {
            key: self.key(path)?,
            expires_in: lifetime,
        };
        let signed = self.client().presign_get(&params).await?;
        Ok(ShareLink {
            url: signed.url,
            expires_at: now + lifetime,
            limited_by,
        })
    }
}

/// The lifetime a link can have: what was asked, within S3's maximum and the credentials' life.
fn clamp(wanted: Duration, credentials_left: Option<Duration>) -> (Duration, Option<ShareLimit>) {
    let mut lifetime = (wanted, None);
    if lifetime.0 > MAX_SHARE {
        lifetime = (MAX_SHARE, Some(ShareLimit::SevenDayMaximum));
    }
    match credentials_left {
        Some(left) if left < lifetime.0 => (left, Some(ShareLimit::CredentialsExpiry)),
        _ => lifetime,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn links_serialize_with_a_time_and_a_limit_code() {
        let link = ShareLink {
            url: "https://s3.example/f?X-Amz-Signature=abc".to_owned(),
            expires_at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000),
            limited_by: Some(ShareLimit::CredentialsExpiry),
        };
        assert_eq!(
            serde_json::to_value(&link).unwrap(),
            serde_json::json!({
                "url": "https://s3.example/f?X-Amz-Signature=abc",
                "expires_at": "2020-09-13T12:26:40Z",
                "limited_by": "credentials_expiry",
            })
        );
        let unlimited = ShareLink {
            limited_by: None,
            ..link
        };
        assert_eq!(
            serde_json::to_value(&unlimited).unwrap()["limited_by"],
            serde_json::Value::Null
        );
        assert_eq!(
            serde_json::to_value(ShareLimit::SevenDayMaximum).unwrap(),
            "seven_day_maximum"
        );
    }

    #[test]
    fn lifetime_is_clamped_and_says_why() {
        assert_eq!(clamp(HOUR, Some(2 * HOUR)), (HOUR, None));
        assert_eq!(clamp(HOUR, None), (HOUR, None));
        assert_eq!(
            clamp(3 * HOUR, Some(HOUR)),
            (HOUR, Some(ShareLimit::CredentialsExpiry))
        );
        assert_eq!(
            clamp(30 * 24 * HOUR, None),
            (MAX_SHARE, Some(ShareLimit::SevenDayMaximum))
        );
        assert_eq!(
            clamp(30 * 24 * HOUR, Some(HOUR)),
            (HOUR, Some(ShareLimit::CredentialsExpiry))
        );
    }
}

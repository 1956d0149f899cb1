//! What Cubby keeps in object metadata, and reading it back (from HeadObject or a GET).
//!
//! `x-amz-meta-mtime`: the file's modification time as decimal Unix seconds (the form rclone
//! uses too). `x-amz-meta-cubby-crc64nvme`: the CRC64-NVME of the whole content, base64 of the
//! big-endian value like S3's own checksum headers; it is what downloads are verified against,
//! because the ETag is not a content hash for multipart uploads.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::folder::Storage;
use super::object_client::{HeadObjectParams, Metadata, ObjectMeta};
use super::remote_path::RemotePath;
use crate::error::Result;

const MTIME_KEY: &str = "mtime";
const CONTENT_HASH_KEY: &str = "cubby-crc64nvme";

/// A file's size, version and the facts Cubby stored with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Size in bytes.
    pub size: u64,
    /// Identifies this version of the object (for conditional reads), never its content.
    pub etag: Option<String>,
    /// The modification time the uploader kept, else the time of the upload.
    pub modified: Option<SystemTime>,
    /// CRC64-NVME of the whole content, when Cubby uploaded it.
    pub content_crc64: Option<u64>,
}

impl From<&ObjectMeta> for ObjectInfo {
    fn from(meta: &ObjectMeta) -> Self {
        Self {
            size: meta.size,
            etag: meta.etag.clone(),
            modified: meta
                .metadata
                .get(MTIME_KEY)
                .and_then(|v| parse_mtime(v))
                .or(meta.last_modified),
            content_crc64: meta
                .metadata
                .get(CONTENT_HASH_KEY)
                .and_then(|v| decode_crc64(v)),
        }
    }
}

/// The metadata Cubby stores with a file: its modification time and content hash.
pub(crate) fn cubby_metadata(modified: SystemTime, content_crc64: u64) -> Metadata {
    Metadata::from([
        (MTIME_KEY.to_owned(), format_mtime(modified)),
        (CONTENT_HASH_KEY.to_owned(), encode_crc64(content_crc64)),
    ])
}

impl Storage {
    /// Size and metadata of a file; `storage.not_found` when there is none at `path`.
    pub async fn head(&self, path: &RemotePath) -> Result<ObjectInfo> {
        let params = HeadObjectParams {
            key: self.key(path)?,
        };
        let doing = format!("reading details of {path}");
        let meta = self
            .send(&doing, || self.client().head_object(&params))
            .await?;
        Ok(ObjectInfo::from(&meta))
    }
}

fn format_mtime(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    format!("{}.{:09}", since.as_secs(), since.subsec_nanos())
}

/// The last second of the year 9999: later stored times are another tool's nonsense, and
/// calendars and file systems cannot show them.
const LATEST_MTIME_SECS: u64 = 253_402_300_799;

/// The stored time, or `None` when it is not one (a stored value is another program's
/// writing: anything from 1970 to 9999 is taken, the rest ignored).
fn parse_mtime(text: &str) -> Option<SystemTime> {
    let (secs, frac) = text.split_once('.').unwrap_or((text, ""));
    let secs: u64 = secs.parse().ok().filter(|s| *s <= LATEST_MTIME_SECS)?;
    let nanos = if frac.is_empty() {
        0
    } else {
        let digits: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
        digits.parse().ok()?
    };
    UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
}

pub(crate) fn encode_crc64(crc: u64) -> String {
    STANDARD.encode(crc.to_be_bytes())
}

fn decode_crc64(text: &str) -> Option<u64> {
    let bytes: [u8; 8] = STANDARD.decode(text).ok()?.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mtime_round_trips_with_nanoseconds() {
        let time = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
        assert_eq!(format_mtime(time), "1700000000.123456789");
        assert_eq!(parse_mtime(&format_mtime(time)), Some(time));
        assert_eq!(
            parse_mtime("1700000000.5"),
            Some(UNIX_EPOCH + Duration::new(1_700_000_000, 500_000_000))
        );
        assert_eq!(
            parse_mtime("1700000000"),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        assert_eq!(parse_mtime("yesterday"), None);
    }

    #[test]
    fn an_absurd_stored_time_is_ignored() {
        let uploaded = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        for absurd in [
            "99999999999999999",
            "18446744073709551615",
            "-1",
            "-99999999999",
        ] {
            let meta = ObjectMeta {
                last_modified: Some(uploaded),
                metadata: Metadata::from([(MTIME_KEY.to_owned(), absurd.to_owned())]),
                ..ObjectMeta::default()
            };
            assert_eq!(ObjectInfo::from(&meta).modified, Some(uploaded), "{absurd}");
        }
    }

    #[test]
    fn content_hash_round_trips() {
        assert_eq!(
            decode_crc64(&encode_crc64(0xdead_beef_0123_4567)),
            Some(0xdead_beef_0123_4567)
        );
        assert_eq!(decode_crc64("not base64!"), None);
        assert_eq!(decode_crc64("AAAA"), None);
    }
}

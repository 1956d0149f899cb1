//! What Cubby keeps in object metadata, and reading it back with HeadObject.
//!
//! `x-amz-meta-mtime`: the file's modification time as decimal Unix seconds (the form rclone
//! uses too). `x-amz-meta-cubby-crc64nvme`: the CRC64-NVME of the whole content, base64 of the
//! big-endian value like S3's own checksum headers; it is what downloads are verified against,
//! because the ETag is not a content hash for multipart uploads.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::client::Storage;
use super::remote_path::RemotePath;
use crate::error::Result;

pub(crate) const MTIME_KEY: &str = "mtime";
pub(crate) const CONTENT_HASH_KEY: &str = "cubby-crc64nvme";

/// A file's size, version and the facts Cubby stored with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub size: u64,
    /// Identifies this version of the object (for conditional reads), never its content.
    pub etag: Option<String>,
    /// The modification time the uploader kept, else the time of the upload.
    pub modified: Option<SystemTime>,
    pub content_crc64: Option<u64>,
}

impl Storage {
    /// Size and metadata of a file; `storage.not_found` when there is none at `path`.
    pub async fn head(&self, path: &RemotePath) -> Result<ObjectInfo> {
        let key = self.key(path)?;
        let doing = format!("reading details of {path}");
        let out = self
            .send(&doing, || {
                self.s3.head_object().bucket(&self.bucket).key(&key).send()
            })
            .await?;
        let metadata = out.metadata();
        let uploaded = out
            .last_modified()
            .and_then(|t| SystemTime::try_from(*t).ok());
        Ok(ObjectInfo {
            size: out.content_length().unwrap_or(0).max(0) as u64,
            etag: out.e_tag().map(str::to_owned),
            modified: metadata
                .and_then(|m| m.get(MTIME_KEY))
                .and_then(|v| parse_mtime(v))
                .or(uploaded),
            content_crc64: metadata
                .and_then(|m| m.get(CONTENT_HASH_KEY))
                .and_then(|v| decode_crc64(v)),
        })
    }
}

pub(crate) fn format_mtime(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    format!("{}.{:09}", since.as_secs(), since.subsec_nanos())
}

pub(crate) fn parse_mtime(text: &str) -> Option<SystemTime> {
    let (secs, frac) = text.split_once('.').unwrap_or((text, ""));
    let secs: u64 = secs.parse().ok()?;
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

pub(crate) fn decode_crc64(text: &str) -> Option<u64> {
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
    fn content_hash_round_trips() {
        assert_eq!(
            decode_crc64(&encode_crc64(0xdead_beef_0123_4567)),
            Some(0xdead_beef_0123_4567)
        );
        assert_eq!(decode_crc64("not base64!"), None);
        assert_eq!(decode_crc64("AAAA"), None);
    }
}

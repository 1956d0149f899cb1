//! S3 flexible checksums: which ones a request carries (headers or aws-chunked trailer), checking
//! them against the bytes received, what to store, and the composite checksum of multipart objects.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::HeaderMap;
use s3s::checksum::ChecksumHasher;
use s3s::crypto::Checksum as _;
use s3s::dto::{self, ChecksumAlgorithm};
use s3s::{S3Error, S3ErrorCode, S3Result, StdError, s3_error};

use super::store::StoredChecksum;

/// The five checksum fields that S3's inputs (PutObject, UploadPart, a part listed in
/// CompleteMultipartUpload) each carry, moved into one `Checksum`.
macro_rules! checksum_fields {
    ($input:ident) => {
        s3s::dto::Checksum {
            checksum_crc32: $input.checksum_crc32,
            checksum_crc32c: $input.checksum_crc32c,
            checksum_crc64nvme: $input.checksum_crc64nvme,
            checksum_sha1: $input.checksum_sha1,
            checksum_sha256: $input.checksum_sha256,
            ..Default::default()
        }
    };
}
pub(crate) use checksum_fields;

/// The algorithms S3 supports, by their API names, with the header that carries each.
const ALGORITHMS: [(&str, &str); 5] = [
    ("CRC32", "x-amz-checksum-crc32"),
    ("CRC32C", "x-amz-checksum-crc32c"),
    ("CRC64NVME", "x-amz-checksum-crc64nvme"),
    ("SHA1", "x-amz-checksum-sha1"),
    ("SHA256", "x-amz-checksum-sha256"),
];

fn value_of<'a>(checksum: &'a dto::Checksum, algorithm: &str) -> Option<&'a String> {
    match algorithm {
        "CRC32" => checksum.checksum_crc32.as_ref(),
        "CRC32C" => checksum.checksum_crc32c.as_ref(),
        "CRC64NVME" => checksum.checksum_crc64nvme.as_ref(),
        "SHA1" => checksum.checksum_sha1.as_ref(),
        "SHA256" => checksum.checksum_sha256.as_ref(),
        _ => None,
    }
}

fn enable(hasher: &mut ChecksumHasher, algorithm: &str) {
    match algorithm {
        "CRC32" => hasher.crc32 = Some(s3s::crypto::Crc32::new()),
        "CRC32C" => hasher.crc32c = Some(s3s::crypto::Crc32c::new()),
        "CRC64NVME" => hasher.crc64nvme = Some(s3s::crypto::Crc64Nvme::new()),
        "SHA1" => hasher.sha1 = Some(s3s::crypto::Sha1::new()),
        "SHA256" => hasher.sha256 = Some(s3s::crypto::Sha256::new()),
        _ => {}
    }
}

fn known_algorithm(name: &str) -> S3Result<&'static str> {
    ALGORITHMS
        .iter()
        .map(|(alg, _)| *alg)
        .find(|alg| alg.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            s3_error!(
                InvalidRequest,
                "Unsupported checksum algorithm {name:?}: use CRC32, CRC32C, CRC64NVME, SHA1 or SHA256"
            )
        })
}

/// The checksums one upload (PutObject, UploadPart) must be checked against.
#[derive(Debug, Default)]
pub(crate) struct RequestedChecksums {
    /// Algorithms to compute, the first being the one stored with the object.
    algorithms: Vec<&'static str>,
    /// Values sent in headers.
    sent: dto::Checksum,
    /// Algorithm whose value arrives in the aws-chunked trailer (`x-amz-trailer`).
    trailer: Option<&'static str>,
}

impl RequestedChecksums {
    /// Reads what the client declared: checksum headers (already parsed by s3s into `sent`),
    /// `x-amz-sdk-checksum-algorithm`, and the `x-amz-trailer` header.
    pub fn from_request(
        headers: &HeaderMap,
        sent: dto::Checksum,
        algorithm: Option<&ChecksumAlgorithm>,
        default: Option<&str>,
    ) -> S3Result<Self> {
        let mut requested = Self {
            sent,
            ..Self::default()
        };
        if let Some(trailer) = headers.get("x-amz-trailer") {
            let name = trailer
                .to_str()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let alg = ALGORITHMS
                .iter()
                .find(|(_, header)| *header == name)
                .map(|(alg, _)| *alg)
                .ok_or_else(|| {
                    s3_error!(
                        InvalidRequest,
                        "Unsupported x-amz-trailer {name:?}: expected one x-amz-checksum-* header"
                    )
                })?;
            requested.trailer = Some(alg);
            requested.algorithms.push(alg);
        }
        for (alg, _) in ALGORITHMS {
            if value_of(&requested.sent, alg).is_some() && !requested.algorithms.contains(&alg) {
                requested.algorithms.push(alg);
            }
        }
        if let Some(alg) = algorithm {
            let alg = known_algorithm(alg.as_str())?;
            if requested.algorithms.is_empty() {
                requested.algorithms.push(alg);
            } else if !requested.algorithms.contains(&alg) {
                return Err(s3_error!(
                    InvalidRequest,
                    "x-amz-sdk-checksum-algorithm is {alg} but the request carries a checksum of another algorithm"
                ));
            }
        }
        if requested.algorithms.is_empty()
            && let Some(alg) = default
        {
            requested.algorithms.push(known_algorithm(alg)?);
        }
        Ok(requested)
    }

    pub fn hasher(&self) -> ChecksumHasher {
        let mut hasher = ChecksumHasher::default();
        for alg in &self.algorithms {
            enable(&mut hasher, alg);
        }
        hasher
    }

    /// Compares what was computed over the body with what the client sent (headers or the
    /// trailer, available once the body is read); returns the checksum to store.
    pub fn verify(
        &self,
        computed: &dto::Checksum,
        trailers: Option<HeaderMap>,
    ) -> S3Result<Option<StoredChecksum>> {
        for alg in &self.algorithms {
            let expected = if self.trailer == Some(*alg) {
                let header = ALGORITHMS
                    .iter()
                    .find(|(a, _)| a == alg)
                    .map(|(_, h)| *h)
                    .unwrap_or_default();
                let value = trailers
                    .as_ref()
                    .and_then(|t| t.get(header))
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                Some(value.ok_or_else(|| {
                    s3_error!(
                        InvalidRequest,
                        "x-amz-trailer announced {header} but the body ended without that trailer"
                    )
                })?)
            } else {
                value_of(&self.sent, alg).cloned()
            };
            let actual = value_of(computed, alg);
            if let Some(expected) = expected
                && Some(&expected) != actual
            {
                return Err(s3_error!(
                    BadDigest,
                    "The {alg} you specified did not match the calculated checksum."
                ));
            }
        }
        Ok(self.algorithms.first().and_then(|alg| {
            value_of(computed, alg).map(|value| StoredChecksum {
                algorithm: (*alg).to_owned(),
                value: value.clone(),
                composite: false,
            })
        }))
    }
}

/// Whether every checksum in `given` (e.g. listed for a part in CompleteMultipartUpload) equals
/// the one in `stored`.
pub(crate) fn consistent(given: &dto::Checksum, stored: &dto::Checksum) -> bool {
    ALGORITHMS
        .iter()
        .all(|(alg, _)| value_of(given, alg).is_none_or(|g| Some(g) == value_of(stored, alg)))
}

/// Checks `Content-MD5` (base64 of the body's MD5) when the client sent it.
pub(crate) fn verify_content_md5(content_md5: Option<&str>, md5: &[u8; 16]) -> S3Result<()> {
    let Some(sent) = content_md5 else {
        return Ok(());
    };
    let sent = BASE64.decode(sent.trim()).map_err(|_| {
        s3_error!(
            InvalidDigest,
            "The Content-MD5 you specified is not valid base64."
        )
    })?;
    if sent.len() != 16 {
        return Err(s3_error!(
            InvalidDigest,
            "The Content-MD5 you specified is not an MD5 digest."
        ));
    }
    if sent != md5 {
        return Err(s3_error!(
            BadDigest,
            "The Content-MD5 you specified did not match what we received."
        ));
    }
    Ok(())
}

/// The checksum of a multipart object as S3 computes it by default: the checksum of the
/// concatenated binary part checksums, suffixed with the part count. `None` if a part lacks one.
pub(crate) fn composite(
    algorithm: &str,
    part_values: &[Option<&StoredChecksum>],
) -> Option<StoredChecksum> {
    let mut hasher = ChecksumHasher::default();
    enable(&mut hasher, algorithm);
    for part in part_values {
        let part = part.filter(|c| c.algorithm == algorithm)?;
        hasher.update(&BASE64.decode(&part.value).ok()?);
    }
    let value = value_of(&hasher.finalize(), algorithm)?.clone();
    Some(StoredChecksum {
        algorithm: algorithm.to_owned(),
        value: format!("{value}-{}", part_values.len()),
        composite: true,
    })
}

/// A stored checksum in the shape S3 outputs use.
pub(crate) fn to_dto(
    stored: Option<&StoredChecksum>,
) -> (dto::Checksum, Option<dto::ChecksumType>) {
    let mut out = dto::Checksum::default();
    let Some(stored) = stored else {
        return (out, None);
    };
    let value = Some(stored.value.clone());
    match stored.algorithm.as_str() {
        "CRC32" => out.checksum_crc32 = value,
        "CRC32C" => out.checksum_crc32c = value,
        "CRC64NVME" => out.checksum_crc64nvme = value,
        "SHA1" => out.checksum_sha1 = value,
        "SHA256" => out.checksum_sha256 = value,
        _ => return (out, None),
    }
    let kind = if stored.composite {
        dto::ChecksumType::COMPOSITE
    } else {
        dto::ChecksumType::FULL_OBJECT
    };
    (out, Some(dto::ChecksumType::from_static(kind)))
}

/// Maps an error from reading the request body (s3s verifies signatures and `x-amz-content-sha256`
/// while the body streams) to the S3 error a client expects.
pub(crate) fn body_error(error: StdError) -> S3Error {
    let text = error.to_string();
    let code = if text.contains("Sha256Mismatch") {
        S3ErrorCode::Custom("XAmzContentSHA256Mismatch".into())
    } else if text.contains("SignatureMismatch") {
        S3ErrorCode::SignatureDoesNotMatch
    } else {
        S3ErrorCode::IncompleteBody
    };
    S3Error::with_message(code, format!("The request body could not be read: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crc32_of(data: &[u8]) -> String {
        let mut hasher = ChecksumHasher::default();
        enable(&mut hasher, "CRC32");
        hasher.update(data);
        hasher.finalize().checksum_crc32.unwrap()
    }

    #[test]
    fn trailer_checksum_is_verified_and_stored() {
        let mut headers = HeaderMap::new();
        headers.insert("x-amz-trailer", "x-amz-checksum-crc32".parse().unwrap());
        let requested =
            RequestedChecksums::from_request(&headers, dto::Checksum::default(), None, None)
                .unwrap();
        let mut hasher = requested.hasher();
        hasher.update(b"hello");
        let computed = hasher.finalize();

        let mut trailers = HeaderMap::new();
        trailers.insert("x-amz-checksum-crc32", crc32_of(b"hello").parse().unwrap());
        let stored = requested
            .verify(&computed, Some(trailers))
            .unwrap()
            .unwrap();
        assert_eq!(stored.algorithm, "CRC32");

        let mut wrong = HeaderMap::new();
        wrong.insert("x-amz-checksum-crc32", crc32_of(b"other").parse().unwrap());
        let err = requested.verify(&computed, Some(wrong)).unwrap_err();
        assert_eq!(err.code(), &S3ErrorCode::BadDigest);
        let err = requested.verify(&computed, None).unwrap_err();
        assert_eq!(err.code(), &S3ErrorCode::InvalidRequest);
    }

    #[test]
    fn header_checksum_mismatch_is_bad_digest() {
        let sent = dto::Checksum {
            checksum_crc32: Some(crc32_of(b"x")),
            ..Default::default()
        };
        let requested =
            RequestedChecksums::from_request(&HeaderMap::new(), sent, None, None).unwrap();
        let mut hasher = requested.hasher();
        hasher.update(b"y");
        let err = requested.verify(&hasher.finalize(), None).unwrap_err();
        assert_eq!(err.code(), &S3ErrorCode::BadDigest);
    }

    #[test]
    fn content_md5_is_checked() {
        let md5 = s3s::crypto::Md5::checksum(b"abc");
        let good = BASE64.encode(md5);
        assert!(verify_content_md5(Some(&good), &md5).is_ok());
        assert!(verify_content_md5(None, &md5).is_ok());
        let other = BASE64.encode(s3s::crypto::Md5::checksum(b"abd"));
        assert_eq!(
            verify_content_md5(Some(&other), &md5).unwrap_err().code(),
            &S3ErrorCode::BadDigest
        );
        assert_eq!(
            verify_content_md5(Some("%%"), &md5).unwrap_err().code(),
            &S3ErrorCode::InvalidDigest
        );
    }

    #[test]
    fn composite_needs_every_part() {
        let part = StoredChecksum {
            algorithm: "CRC32".into(),
            value: crc32_of(b"a"),
            composite: false,
        };
        let c = composite("CRC32", &[Some(&part), Some(&part)]).unwrap();
        assert!(c.value.ends_with("-2") && c.composite);
        assert!(composite("CRC32", &[Some(&part), None]).is_none());
        assert!(composite("SHA256", &[Some(&part)]).is_none());
    }
}

//! The per-user folder policy of PROTOCOLS.md §4, plus the session-token check SigV4 alone does
//! not do. Runs after s3s has verified the signature.
//!
//! An identity may list only with a prefix inside `<identity id>/`, and read, write, delete and
//! copy (source and destination) only keys inside it. HeadBucket and GetBucketLocation are denied,
//! as AWS denies them under that policy (HeadBucket needs `s3:ListBucket`, whose grant requires a
//! prefix; `s3:GetBucketLocation` is not granted) and Cubby sends neither; tools that probe the
//! bucket need their "don't check the bucket" option (rclone's `no_check_bucket`), on AWS too.
//! `template_policy` tests proves this agrees with infra/cubby.yaml. The admin credential may do
//! everything.

use std::sync::Arc;

use http::Extensions;
use s3s::access::{S3Access, S3AccessContext};
use s3s::dto::{
    CopyObjectInput, CopySource, DeleteObjectsInput, ListObjectsInput, ListObjectsV2Input,
    ObjectIdentifier, UploadPartCopyInput,
};
use s3s::path::S3Path;
use s3s::{S3Error, S3Request, S3Result, s3_error};
use sha2::{Digest, Sha256};

use crate::credentials::{CredentialStore, IssuedCredential, Principal};

pub(crate) struct FolderPolicy {
    pub credentials: Arc<CredentialStore>,
    pub bucket: String,
}

/// Keys of a DeleteObjects request the policy refused; the backend reports them per key, as S3 does.
#[derive(Debug, Clone, Default)]
pub(crate) struct DeniedKeys(pub Vec<String>);

/// What an identity may do with an operation.
enum Rule {
    /// Allowed when the listing prefix is inside the folder (checked once the input is parsed).
    ListInsideFolder,
    /// Allowed on keys inside the folder.
    KeyInsideFolder,
    /// Allowed, each key filtered (DeleteObjects).
    EachKey,
    Deny,
}

fn rule(operation: &str) -> Rule {
    match operation {
        "ListObjects" | "ListObjectsV2" => Rule::ListInsideFolder,
        "GetObject"
        | "HeadObject"
        | "PutObject"
        | "DeleteObject"
        | "CopyObject"
        | "CreateMultipartUpload"
        | "UploadPart"
        | "UploadPartCopy"
        | "CompleteMultipartUpload"
        | "AbortMultipartUpload"
        | "ListParts" => Rule::KeyInsideFolder,
        "DeleteObjects" => Rule::EachKey,
        _ => Rule::Deny,
    }
}

fn folder_of(identity_id: &str) -> String {
    format!("{identity_id}/")
}

fn denied(what: impl std::fmt::Display, identity_id: &str) -> S3Error {
    s3_error!(
        AccessDenied,
        "Access Denied: {what}; these credentials may only use keys under \"{}\"",
        folder_of(identity_id)
    )
}

/// The identity id of the request's principal, `None` for the admin.
fn identity(extensions: &Extensions) -> Option<&str> {
    match extensions.get::<Principal>() {
        Some(Principal::Identity(id)) => Some(id),
        _ => None,
    }
}

/// The session token the request carries: header, or query parameter of a presigned URL.
fn session_token(cx: &S3AccessContext<'_>) -> Option<String> {
    if let Some(value) = cx.headers().get("x-amz-security-token") {
        return value.to_str().ok().map(str::to_owned);
    }
    let query = cx.uri().query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "X-Amz-Security-Token")
        .map(|(_, value)| value.into_owned())
}

/// Temporary credentials are only valid together with their session token.
fn check_session_token(credential: &IssuedCredential, sent: Option<String>) -> S3Result<()> {
    let Some(expected) = &credential.session_token else {
        return Ok(());
    };
    let mut error = match sent {
        // Compared as digests so the comparison time says nothing about the token.
        Some(sent) if Sha256::digest(sent.as_bytes()) == Sha256::digest(expected.as_bytes()) => {
            return Ok(());
        }
        Some(_) => s3_error!(
            InvalidToken,
            "The provided token is malformed or otherwise invalid."
        ),
        None => s3_error!(
            InvalidToken,
            "These are temporary credentials: send their session token (x-amz-security-token)."
        ),
    };
    error.set_status_code(http::StatusCode::FORBIDDEN);
    Err(error)
}

impl FolderPolicy {
    fn check_bucket(&self, bucket: &str, identity_id: &str) -> S3Result<()> {
        if bucket == self.bucket {
            Ok(())
        } else {
            Err(denied(format_args!("bucket \"{bucket}\""), identity_id))
        }
    }

    fn check_copy_source(&self, source: &CopySource, identity_id: &str) -> S3Result<()> {
        match source {
            CopySource::Bucket { bucket, key, .. } => {
                self.check_bucket(bucket, identity_id)?;
                if key.starts_with(&folder_of(identity_id)) {
                    Ok(())
                } else {
                    Err(denied(format_args!("copy source \"{key}\""), identity_id))
                }
            }
            _ => Err(denied("copy source outside this bucket", identity_id)),
        }
    }
}

fn check_list_prefix(prefix: Option<&str>, identity_id: &str) -> S3Result<()> {
    match prefix {
        Some(prefix) if prefix.starts_with(&folder_of(identity_id)) => Ok(()),
        Some(prefix) => Err(denied(
            format_args!("listing with prefix \"{prefix}\""),
            identity_id,
        )),
        None => Err(denied("listing without a prefix", identity_id)),
    }
}

#[async_trait::async_trait]
impl S3Access for FolderPolicy {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let Some(access_key) = cx.credentials().map(|c| c.access_key.clone()) else {
            return Err(s3_error!(
                AccessDenied,
                "Anonymous requests are not allowed: sign the request with SigV4."
            ));
        };
        let credential = self
            .credentials
            .lookup(&access_key)
            .ok_or_else(|| s3_error!(InvalidAccessKeyId))?;
        check_session_token(&credential, session_token(cx))?;
        cx.extensions_mut().insert(credential.principal.clone());
        let Principal::Identity(identity_id) = &credential.principal else {
            return Ok(());
        };

        let operation = cx.s3_op().name();
        let (bucket, key) = match cx.s3_path() {
            S3Path::Root => {
                return Err(denied(
                    format_args!("{operation} on the account"),
                    identity_id,
                ));
            }
            S3Path::Bucket { bucket } => (bucket.as_ref(), None),
            S3Path::Object { bucket, key } => (bucket.as_ref(), Some(key.as_ref())),
        };
        self.check_bucket(bucket, identity_id)?;
        match (rule(operation), key) {
            (Rule::ListInsideFolder | Rule::EachKey, None) => Ok(()),
            (Rule::KeyInsideFolder, Some(key)) if key.starts_with(&folder_of(identity_id)) => {
                Ok(())
            }
            (Rule::KeyInsideFolder, Some(key)) => Err(denied(
                format_args!("{operation} on \"{key}\""),
                identity_id,
            )),
            _ => Err(denied(operation, identity_id)),
        }
    }

    async fn list_objects(&self, req: &mut S3Request<ListObjectsInput>) -> S3Result<()> {
        match identity(&req.extensions) {
            Some(id) => check_list_prefix(req.input.prefix.as_deref(), id),
            None => Ok(()),
        }
    }

    async fn list_objects_v2(&self, req: &mut S3Request<ListObjectsV2Input>) -> S3Result<()> {
        match identity(&req.extensions) {
            Some(id) => check_list_prefix(req.input.prefix.as_deref(), id),
            None => Ok(()),
        }
    }

    async fn copy_object(&self, req: &mut S3Request<CopyObjectInput>) -> S3Result<()> {
        match identity(&req.extensions) {
            Some(id) => self.check_copy_source(&req.input.copy_source, id),
            None => Ok(()),
        }
    }

    async fn upload_part_copy(&self, req: &mut S3Request<UploadPartCopyInput>) -> S3Result<()> {
        match identity(&req.extensions) {
            Some(id) => self.check_copy_source(&req.input.copy_source, id),
            None => Ok(()),
        }
    }

    /// Keys outside the folder are taken out of the request and reported as denied per key.
    async fn delete_objects(&self, req: &mut S3Request<DeleteObjectsInput>) -> S3Result<()> {
        let Some(folder) = identity(&req.extensions).map(folder_of) else {
            return Ok(());
        };
        let (allowed, refused): (Vec<ObjectIdentifier>, Vec<ObjectIdentifier>) =
            std::mem::take(&mut req.input.delete.objects)
                .into_iter()
                .partition(|object| object.key.starts_with(&folder));
        req.input.delete.objects = allowed;
        req.extensions.insert(DeniedKeys(
            refused.into_iter().map(|object| object.key).collect(),
        ));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn list_prefix_must_be_inside_the_folder() {
        let id = "us-east-1:abc";
        assert!(check_list_prefix(Some("us-east-1:abc/"), id).is_ok());
        assert!(check_list_prefix(Some("us-east-1:abc/docs/"), id).is_ok());
        for bad in [
            None,
            Some(""),
            Some("/"),
            Some("us-east-1:abc"),
            Some("us-east-1:abcd/"),
            Some("us-east-1:other/"),
        ] {
            let err = check_list_prefix(bad, id).unwrap_err();
            assert_eq!(err.code(), &s3s::S3ErrorCode::AccessDenied, "{bad:?}");
        }
    }

    #[test]
    fn temporary_credentials_need_their_own_session_token() {
        let (ak, sk) = CredentialStore::generate_admin_pair();
        let store = CredentialStore::new(ak, sk);
        let issued = store.issue("us-east-1:abc", Duration::from_secs(60));
        let token = issued.session_token.clone();
        assert!(check_session_token(&issued, token).is_ok());
        for sent in [None, Some("wrong".to_owned())] {
            let err = check_session_token(&issued, sent).unwrap_err();
            assert_eq!(err.code(), &s3s::S3ErrorCode::InvalidToken);
            assert_eq!(err.status_code(), Some(http::StatusCode::FORBIDDEN));
        }
        assert!(check_session_token(store.admin(), None).is_ok());
    }

    #[test]
    fn only_listed_operations_are_open_to_identities() {
        assert!(matches!(rule("ListBuckets"), Rule::Deny));
        assert!(matches!(rule("CreateBucket"), Rule::Deny));
        assert!(matches!(rule("DeleteBucket"), Rule::Deny));
        assert!(matches!(rule("ListMultipartUploads"), Rule::Deny));
        assert!(matches!(rule("PutObjectAcl"), Rule::Deny));
        assert!(matches!(rule("HeadBucket"), Rule::Deny));
        assert!(matches!(rule("GetBucketLocation"), Rule::Deny));
        assert!(matches!(rule("ListParts"), Rule::KeyInsideFolder));
    }
}

//! localcloud's S3: one bucket, path-style, SigV4 checked against the [`CredentialStore`], the
//! per-user folder policy enforced, objects kept on disk under `<data_dir>/s3/<bucket>/`.
//!
//! s3s does the protocol (routing, XML, SigV4 including aws-chunked bodies and trailers); this
//! module supplies the secrets (`auth`), the policy (`policy`) and the storage (`backend`,
//! `multipart`, `store`, `listing`, `checksums`).

mod auth;
mod backend;
mod checksums;
mod listing;
mod multipart;
mod policy;
mod store;

use std::path::Path;
use std::sync::Arc;

use s3s::service::{S3Service, S3ServiceBuilder};

use crate::credentials::CredentialStore;

/// Opens (creating if needed) the bucket `bucket` under `<data_dir>/s3/<bucket>/` and builds the
/// S3 service for it: cheap to clone, and a `hyper::service::Service<Request<Incoming>>`
/// answering every request with an S3 response (errors as S3 XML). Fails if the directory cannot
/// be created or read.
pub fn service(
    data_dir: &Path,
    bucket: &str,
    credentials: Arc<CredentialStore>,
) -> std::io::Result<S3Service> {
    let store = store::BucketStore::open(data_dir.join("s3").join(bucket), bucket)?;
    let mut builder = S3ServiceBuilder::new(backend::Backend { store });
    builder.set_auth(auth::CredentialAuth {
        credentials: credentials.clone(),
    });
    builder.set_access(policy::FolderPolicy {
        credentials,
        bucket: bucket.to_owned(),
    });
    Ok(builder.build())
}

#[cfg(test)]
mod tests;

//! The bucket seen with an admin credential: what a storage test checks from outside the code
//! under test (which keys exist, what they hold, what uploads were left unfinished).

use std::sync::Arc;

use cubby_core::storage::{
    GetObjectParams, ListObjectsParams, MemoryClient, ObjectClient, PutObjectParams,
};
use futures::TryStreamExt;

/// The whole bucket of a backend, past any per-person policy.
pub enum BucketAdmin {
    /// An S3 server, through an admin client.
    S3 {
        /// The admin client.
        client: aws_sdk_s3::Client,
        /// The bucket of the profile under test.
        bucket: String,
    },
    /// An in-memory bucket, which has no policy to pass.
    Memory(Arc<MemoryClient>),
}

impl BucketAdmin {
    /// Every key in the bucket, in key order.
    pub async fn all_keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        match self {
            Self::S3 { client, bucket } => {
                let mut pages = client
                    .list_objects_v2()
                    .bucket(bucket)
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    keys.extend(
                        page.expect("the admin lists the bucket")
                            .contents()
                            .iter()
                            .filter_map(|o| o.key().map(str::to_owned)),
                    );
                }
            }
            Self::Memory(client) => {
                let mut params = ListObjectsParams::default();
                loop {
                    let page = client
                        .list_objects(&params)
                        .await
                        .expect("a memory listing");
                    keys.extend(page.objects.into_iter().map(|o| o.key));
                    match page.next_continuation_token {
                        Some(token) => params.continuation_token = Some(token),
                        None => break,
                    }
                }
            }
        }
        keys
    }

    /// The bytes stored under `key`.
    pub async fn get(&self, key: &str) -> Vec<u8> {
        match self {
            Self::S3 { client, bucket } => {
                let out = client
                    .get_object()
                    .bucket(bucket)
                    .key(key)
                    .send()
                    .await
                    .unwrap_or_else(|err| panic!("the admin reads {key}: {err}"));
                out.body.collect().await.expect("the whole body").to_vec()
            }
            Self::Memory(client) => {
                let params = GetObjectParams {
                    key: key.to_owned(),
                    ..GetObjectParams::default()
                };
                let got = client
                    .get_object(&params)
                    .await
                    .unwrap_or_else(|err| panic!("the admin reads {key}: {err}"));
                let chunks: Vec<_> = got.body.try_collect().await.expect("the whole body");
                chunks.concat()
            }
        }
    }

    /// Stores `body` under `key` as any tool could, whatever the key looks like (keys Cubby
    /// would never make: `//`, `..`, decomposed Unicode).
    pub async fn put(&self, key: &str, body: &[u8]) {
        match self {
            Self::S3 { client, bucket } => {
                client
                    .put_object()
                    .bucket(bucket)
                    .key(key)
                    .body(body.to_vec().into())
                    .send()
                    .await
                    .unwrap_or_else(|err| panic!("the admin writes {key}: {err}"));
            }
            Self::Memory(client) => {
                let params = PutObjectParams {
                    key: key.to_owned(),
                    body: body.to_vec().into(),
                    ..PutObjectParams::default()
                };
                client
                    .put_object(&params)
                    .await
                    .unwrap_or_else(|err| panic!("the admin writes {key}: {err}"));
            }
        }
    }

    /// How many multipart uploads were started and neither completed nor aborted.
    pub async fn unfinished_multipart_uploads(&self) -> usize {
        match self {
            Self::S3 { client, bucket } => client
                .list_multipart_uploads()
                .bucket(bucket)
                .send()
                .await
                .expect("the admin lists multipart uploads")
                .uploads()
                .len(),
            Self::Memory(client) => client.unfinished_uploads(),
        }
    }

    /// The bytes a share link serves: fetched over HTTP from a server, read from the bucket
    /// for the in-memory one (its links name the key: `memory:///KEY?...`).
    pub async fn fetch_link(&self, url: &str) -> Vec<u8> {
        match self {
            Self::S3 { .. } => reqwest::get(url)
                .await
                .unwrap()
                .error_for_status()
                .unwrap()
                .bytes()
                .await
                .unwrap()
                .to_vec(),
            Self::Memory(_) => {
                let key = url
                    .strip_prefix("memory:///")
                    .and_then(|rest| rest.split('?').next())
                    .unwrap_or_else(|| panic!("a memory link: {url}"));
                self.get(key).await
            }
        }
    }
}

//! The bucket seen with an admin credential: what a storage test checks from outside the code
//! under test (which keys exist, what they hold, what uploads were left unfinished).

/// An admin S3 client and the bucket it looks at.
pub struct BucketAdmin {
    /// The client, for what the methods below do not cover (creating the bucket on moto).
    pub client: aws_sdk_s3::Client,
    /// The bucket of the profile under test.
    pub bucket: String,
}

impl BucketAdmin {
    /// Every key in the bucket, in key order.
    pub async fn all_keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
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
        keys
    }

    /// The bytes stored under `key`.
    pub async fn get(&self, key: &str) -> Vec<u8> {
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .unwrap_or_else(|err| panic!("the admin reads {key}: {err}"));
        out.body.collect().await.expect("the whole body").to_vec()
    }

    /// How many multipart uploads were started and neither completed nor aborted.
    pub async fn unfinished_multipart_uploads(&self) -> usize {
        let out = self
            .client
            .list_multipart_uploads()
            .bucket(&self.bucket)
            .send()
            .await
            .expect("the admin lists multipart uploads");
        out.uploads().len()
    }
}

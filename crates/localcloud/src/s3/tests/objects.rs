//! Objects with the unmodified SDK and its defaults (CRC32 checksums in aws-chunked trailers):
//! put/get/head, metadata, ranges, odd keys, listing and paging, copy, batch delete.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumMode, Delete, MetadataDirective, ObjectIdentifier};
use futures::{StreamExt, TryStreamExt};

use super::{BUCKET, TestServer, bytes, error_code};

#[tokio::test]
async fn put_get_head_keep_bytes_metadata_and_checksums() {
    let server = TestServer::start().await;
    let (folder, s3) = server.identity("us-east-1:6f1c0000-0000-4000-8000-000000000001");
    let data = bytes(300_000, 1);
    for name in [
        "plain.txt",
        "with:colon/and space/ünïcödé 文件.bin",
        "odd/../%2F+&?#name",
        "ends with dot.",
    ] {
        let key = format!("{folder}{name}");
        let put = s3
            .put_object()
            .bucket(BUCKET)
            .key(&key)
            .body(ByteStream::from(data.clone()))
            .content_type("application/x-test")
            .metadata("mtime", "1700000000")
            .metadata("sha256", "abc")
            .send()
            .await
            .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
        let md5 = hex::encode(<s3s::crypto::Md5 as s3s::crypto::Checksum>::checksum(&data));
        assert_eq!(put.e_tag(), Some(format!("\"{md5}\"").as_str()));
        assert!(put.checksum_crc32().is_some(), "the SDK's CRC32 is echoed");

        let got = s3
            .get_object()
            .bucket(BUCKET)
            .key(&key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
            .unwrap();
        assert_eq!(got.content_type(), Some("application/x-test"));
        assert_eq!(got.metadata().unwrap()["mtime"], "1700000000");
        assert_eq!(got.checksum_crc32(), put.checksum_crc32());
        assert_eq!(got.body.collect().await.unwrap().into_bytes(), data);

        let head = s3
            .head_object()
            .bucket(BUCKET)
            .key(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(head.content_length(), Some(data.len() as i64));
        assert_eq!(head.metadata().unwrap()["sha256"], "abc");
        assert!(head.last_modified().is_some());
    }
}

#[tokio::test]
async fn ranged_get_returns_the_requested_bytes() {
    let server = TestServer::start().await;
    let (folder, s3) = server.identity("us-east-1:range");
    let key = format!("{folder}r");
    let data = bytes(10_000, 2);
    s3.put_object()
        .bucket(BUCKET)
        .key(&key)
        .body(data.clone().into())
        .send()
        .await
        .unwrap();
    for (range, expected) in [
        ("bytes=100-199", &data[100..200]),
        ("bytes=9990-", &data[9990..]),
        ("bytes=-10", &data[9990..]),
    ] {
        let got = s3
            .get_object()
            .bucket(BUCKET)
            .key(&key)
            .range(range)
            .send()
            .await
            .unwrap();
        assert_eq!(got.content_length(), Some(expected.len() as i64), "{range}");
        assert!(got.content_range().unwrap().ends_with("/10000"));
        assert_eq!(
            got.body.collect().await.unwrap().into_bytes(),
            expected,
            "{range}"
        );
    }
    let err = s3
        .get_object()
        .bucket(BUCKET)
        .key(&key)
        .range("bytes=20000-")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InvalidRange");
    let err = s3
        .get_object()
        .bucket(BUCKET)
        .key(format!("{folder}missing"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "NoSuchKey");
}

#[tokio::test]
async fn a_wrong_checksum_or_content_md5_is_refused_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let (folder, s3) = server.identity("us-east-1:digest");
    let key = format!("{folder}bad");
    let err = s3
        .put_object()
        .bucket(BUCKET)
        .key(&key)
        .body(b"hello".to_vec().into())
        .checksum_crc32("AAAAAA==")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "BadDigest");
    let err = s3
        .put_object()
        .bucket(BUCKET)
        .key(&key)
        .body(b"hello".to_vec().into())
        .content_md5("XUFAKrxLKna5cZ2REBfFkA==") // MD5("hello") ends in ...kg==
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "BadDigest");
    let err = s3
        .head_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.into_service_error().is_not_found(),
        "a refused upload leaves no object"
    );
    s3.put_object()
        .bucket(BUCKET)
        .key(&key)
        .body(b"hello".to_vec().into())
        .content_md5("XUFAKrxLKna5cZ2REBfFkg==")
        .send()
        .await
        .expect("the right Content-MD5 is accepted");
}

#[tokio::test]
async fn listing_pages_through_more_than_1000_keys_and_folds_folders() {
    let server = TestServer::start().await;
    let (folder, s3) = server.identity("us-east-1:lister");
    let mut keys: Vec<String> = (0..1003).map(|i| format!("{folder}many/{i:05}")).collect();
    keys.extend(["a.txt", "docs/x", "docs/y", "pics/z"].map(|k| format!("{folder}{k}")));
    futures::stream::iter(keys.clone())
        .map(|key| {
            let s3 = s3.clone();
            async move {
                s3.put_object()
                    .bucket(BUCKET)
                    .key(key)
                    .body(b"x".to_vec().into())
                    .send()
                    .await
            }
        })
        .buffer_unordered(32)
        .try_collect::<Vec<_>>()
        .await
        .unwrap();

    let pages: Vec<_> = s3
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(&folder)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].key_count(), Some(1000));
    let listed: Vec<String> = pages
        .iter()
        .flat_map(|p| p.contents())
        .map(|o| o.key().unwrap().to_owned())
        .collect();
    keys.sort();
    assert_eq!(listed, keys);

    let top = s3
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(&folder)
        .delimiter("/")
        .max_keys(3)
        .send()
        .await
        .unwrap();
    let prefixes: Vec<&str> = top
        .common_prefixes()
        .iter()
        .filter_map(|p| p.prefix())
        .collect();
    assert_eq!(top.contents().len(), 1);
    assert_eq!(
        prefixes,
        [format!("{folder}docs/"), format!("{folder}many/")]
    );
    assert_eq!(top.is_truncated(), Some(true));
    let rest = s3
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(&folder)
        .delimiter("/")
        .continuation_token(top.next_continuation_token().unwrap())
        .send()
        .await
        .unwrap();
    let prefixes: Vec<&str> = rest
        .common_prefixes()
        .iter()
        .filter_map(|p| p.prefix())
        .collect();
    assert_eq!(prefixes, [format!("{folder}pics/")]);
    assert_eq!(rest.is_truncated(), Some(false));

    let after = s3
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(format!("{folder}many/"))
        .start_after(format!("{folder}many/01000"))
        .send()
        .await
        .unwrap();
    assert_eq!(after.key_count(), Some(2));

    let v1 = s3
        .list_objects()
        .bucket(BUCKET)
        .prefix(format!("{folder}docs/"))
        .send()
        .await
        .unwrap();
    assert_eq!(v1.contents().len(), 2);
}

#[tokio::test]
async fn copy_keeps_or_replaces_metadata() {
    let server = TestServer::start().await;
    let (folder, s3) = server.identity("us-east-1:copier");
    let source = format!("{folder}source");
    s3.put_object()
        .bucket(BUCKET)
        .key(&source)
        .body(b"payload".to_vec().into())
        .content_type("text/plain")
        .metadata("mtime", "1")
        .send()
        .await
        .unwrap();
    let copy_source = format!("{BUCKET}/{source}");

    let kept = format!("{folder}kept");
    s3.copy_object()
        .bucket(BUCKET)
        .key(&kept)
        .copy_source(&copy_source)
        .send()
        .await
        .unwrap();
    let head = s3
        .head_object()
        .bucket(BUCKET)
        .key(&kept)
        .send()
        .await
        .unwrap();
    assert_eq!(head.metadata().unwrap()["mtime"], "1");
    assert_eq!(head.content_type(), Some("text/plain"));

    let replaced = format!("{folder}dir:with colon/replaced ü");
    s3.copy_object()
        .bucket(BUCKET)
        .key(&replaced)
        .copy_source(format!("{BUCKET}/{}", urlencode(&source)))
        .metadata_directive(MetadataDirective::Replace)
        .metadata("mtime", "2")
        .send()
        .await
        .unwrap();
    let got = s3
        .get_object()
        .bucket(BUCKET)
        .key(&replaced)
        .send()
        .await
        .unwrap();
    assert_eq!(got.metadata().unwrap()["mtime"], "2");
    assert_eq!(
        got.body.collect().await.unwrap().into_bytes().as_ref(),
        b"payload"
    );

    let err = s3
        .copy_object()
        .bucket(BUCKET)
        .key(&source)
        .copy_source(&copy_source)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error_code(&err),
        "InvalidRequest",
        "copy onto itself needs REPLACE"
    );
}

fn urlencode(key: &str) -> String {
    url::form_urlencoded::byte_serialize(key.as_bytes())
        .collect::<String>()
        .replace("%2F", "/")
}

#[tokio::test]
async fn batch_delete_deletes_own_keys_and_denies_others_per_key() {
    let server = TestServer::start().await;
    let (alice_folder, alice) = server.identity("us-east-1:alice");
    let (bob_folder, bob) = server.identity("us-east-1:bob");
    let bob_key = format!("{bob_folder}keep");
    bob.put_object()
        .bucket(BUCKET)
        .key(&bob_key)
        .body(b"b".to_vec().into())
        .send()
        .await
        .unwrap();
    let own: Vec<String> = (0..3).map(|i| format!("{alice_folder}{i}")).collect();
    for key in &own {
        alice
            .put_object()
            .bucket(BUCKET)
            .key(key)
            .body(b"a".to_vec().into())
            .send()
            .await
            .unwrap();
    }

    let objects = own
        .iter()
        .chain([&bob_key])
        .map(|k| ObjectIdentifier::builder().key(k).build().unwrap())
        .collect();
    let out = alice
        .delete_objects()
        .bucket(BUCKET)
        .delete(
            Delete::builder()
                .set_objects(Some(objects))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.deleted().len(), 3);
    assert_eq!(out.errors().len(), 1);
    assert_eq!(out.errors()[0].key(), Some(bob_key.as_str()));
    assert_eq!(out.errors()[0].code(), Some("AccessDenied"));
    bob.head_object()
        .bucket(BUCKET)
        .key(&bob_key)
        .send()
        .await
        .unwrap();
    for key in &own {
        assert!(
            alice
                .head_object()
                .bucket(BUCKET)
                .key(key)
                .send()
                .await
                .is_err()
        );
    }
}

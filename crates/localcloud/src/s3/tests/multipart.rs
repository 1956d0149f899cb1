//! Multipart uploads with the SDK's defaults: 20 MiB in three parts, list parts, complete, read
//! back; abort; the checks CompleteMultipartUpload makes.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumMode, CompletedMultipartUpload, CompletedPart};

use super::{BUCKET, TestServer, bytes, error_code};

const MIB: usize = 1024 * 1024;

async fn upload_parts(
    s3: &aws_sdk_s3::Client,
    key: &str,
    upload_id: &str,
    parts: &[&[u8]],
) -> Vec<CompletedPart> {
    let mut completed = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let number = i as i32 + 1;
        let out = s3
            .upload_part()
            .bucket(BUCKET)
            .key(key)
            .upload_id(upload_id)
            .part_number(number)
            .body(ByteStream::from(part.to_vec()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("part {number}: {e:?}"));
        completed.push(
            CompletedPart::builder()
                .part_number(number)
                .e_tag(out.e_tag().unwrap())
                .set_checksum_crc32(out.checksum_crc32().map(str::to_owned))
                .build(),
        );
    }
    completed
}

#[tokio::test]
async fn multipart_upload_of_20_mib_lists_parts_and_completes() {
    let server = TestServer::start().await;
    let (folder, s3) = server.identity("us-east-1:6f1c-multipart");
    let key = format!("{folder}videos/big file:1.bin");
    let data = bytes(20 * MIB, 7);
    let create = s3
        .create_multipart_upload()
        .bucket(BUCKET)
        .key(&key)
        .content_type("video/mp4")
        .metadata("mtime", "42")
        .send()
        .await
        .unwrap();
    let upload_id = create.upload_id().unwrap();
    let parts = upload_parts(
        &s3,
        &key,
        upload_id,
        &[
            &data[..8 * MIB],
            &data[8 * MIB..16 * MIB],
            &data[16 * MIB..],
        ],
    )
    .await;

    let listed = s3
        .list_parts()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(upload_id)
        .send()
        .await
        .unwrap();
    let sizes: Vec<i64> = listed.parts().iter().map(|p| p.size().unwrap()).collect();
    assert_eq!(sizes, [8 * MIB as i64, 8 * MIB as i64, 4 * MIB as i64]);
    let page = s3
        .list_parts()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(upload_id)
        .max_parts(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.is_truncated(), Some(true));
    assert_eq!(page.next_part_number_marker(), Some("2"));

    let done = s3
        .complete_multipart_upload()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(
        done.e_tag().unwrap().ends_with("-3\""),
        "multipart ETag: {:?}",
        done.e_tag()
    );

    let got = s3
        .get_object()
        .bucket(BUCKET)
        .key(&key)
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_type(), Some("video/mp4"));
    assert_eq!(got.metadata().unwrap()["mtime"], "42");
    assert_eq!(got.e_tag(), done.e_tag());
    assert!(
        got.body.collect().await.unwrap().into_bytes() == data,
        "bytes differ"
    );

    let err = s3
        .list_parts()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(upload_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error_code(&err),
        "NoSuchUpload",
        "a completed upload is gone"
    );
}

#[tokio::test]
async fn aborted_upload_is_gone_and_leaves_no_object() {
    let server = TestServer::start().await;
    let (folder, s3) = server.identity("us-east-1:aborter");
    let key = format!("{folder}abandoned");
    let create = s3
        .create_multipart_upload()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .unwrap();
    let upload_id = create.upload_id().unwrap();
    upload_parts(&s3, &key, upload_id, &[&bytes(MIB, 1)]).await;
    let uploads = server
        .admin()
        .list_multipart_uploads()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    assert_eq!(uploads.uploads()[0].upload_id(), Some(upload_id));

    s3.abort_multipart_upload()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(upload_id)
        .send()
        .await
        .unwrap();
    let err = s3
        .list_parts()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(upload_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "NoSuchUpload");
    let err = s3
        .upload_part()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(upload_id)
        .part_number(2)
        .body(ByteStream::from_static(b"late"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "NoSuchUpload");
    assert!(
        s3.head_object()
            .bucket(BUCKET)
            .key(&key)
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn completion_checks_part_sizes_order_and_etags() {
    let server = TestServer::start().await;
    let (folder, s3) = server.identity("us-east-1:strict");
    let key = format!("{folder}strict");
    let create = s3
        .create_multipart_upload()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .unwrap();
    let upload_id = create.upload_id().unwrap();
    let parts = upload_parts(&s3, &key, upload_id, &[&bytes(MIB, 1), &bytes(MIB, 2)]).await;
    let complete = |parts: Vec<CompletedPart>| {
        s3.complete_multipart_upload()
            .bucket(BUCKET)
            .key(&key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
    };
    let err = complete(parts.clone()).await.unwrap_err();
    assert_eq!(error_code(&err), "EntityTooSmall");
    let err = complete(parts.iter().rev().cloned().collect())
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InvalidPartOrder");
    let wrong_etag = vec![
        CompletedPart::builder()
            .part_number(1)
            .e_tag("\"00\"")
            .build(),
    ];
    let err = complete(wrong_etag).await.unwrap_err();
    assert_eq!(error_code(&err), "InvalidPart");
    let err = s3
        .upload_part()
        .bucket(BUCKET)
        .key(format!("{folder}other key"))
        .upload_id(upload_id)
        .part_number(3)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error_code(&err),
        "NoSuchUpload",
        "an upload id belongs to its key"
    );
    // The last part alone may be small.
    complete(parts[..1].to_vec()).await.unwrap();
}

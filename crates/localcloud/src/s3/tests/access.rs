//! Credentials and the per-user folder policy, through the SDK: what AWS answers for expired,
//! tokenless or unknown credentials, and one user trying everything on another's folder.

use std::time::{Duration, SystemTime};

use aws_sdk_s3::primitives::ByteStream;

use super::{BUCKET, TestServer, error_code, error_status};

#[tokio::test]
async fn expired_credentials_get_expired_token() {
    let server = TestServer::start().await;
    let issued = server
        .credentials
        .issue("us-east-1:short", Duration::from_secs(1));
    let s3 = server.client(&issued);
    let expiration = issued.expiration.expect("temporary credentials expire");
    // Wait exactly until the credential's own expiry has passed.
    while SystemTime::now() <= expiration {
        let left = expiration
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        tokio::time::sleep(left + Duration::from_millis(20)).await;
    }
    let err = s3
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix("us-east-1:short/")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "ExpiredToken");
    assert_eq!(error_status(&err), 400);
}

#[tokio::test]
async fn temporary_credentials_need_their_session_token() {
    let server = TestServer::start().await;
    let issued = server
        .credentials
        .issue("us-east-1:tok", Duration::from_secs(3600));
    let folder = "us-east-1:tok/";
    for token in [None, Some("not-the-token".to_owned())] {
        let s3 = server.client_with(
            &issued.access_key_id,
            &issued.secret_access_key,
            token.clone(),
        );
        let err = s3
            .list_objects_v2()
            .bucket(BUCKET)
            .prefix(folder)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_code(&err), "InvalidToken", "token {token:?}");
        assert_eq!(error_status(&err), 403);
    }
    let unknown = server.client_with("ASIAUNKNOWNKEY000000", "secret", Some("token".into()));
    let err = unknown
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(folder)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InvalidAccessKeyId");
    let wrong_secret =
        server.client_with(&issued.access_key_id, "wrong", issued.session_token.clone());
    let err = wrong_secret
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(folder)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "SignatureDoesNotMatch");
}

#[tokio::test]
async fn one_user_cannot_touch_another_users_folder() {
    let server = TestServer::start().await;
    let (alice_folder, alice) = server.identity("us-east-1:11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
    let (bob_folder, bob) = server.identity("us-east-1:22222222-bbbb-4bbb-8bbb-bbbbbbbbbbbb");
    let bob_key = format!("{bob_folder}secret.txt");
    bob.put_object()
        .bucket(BUCKET)
        .key(&bob_key)
        .body(b"bob's".to_vec().into())
        .send()
        .await
        .unwrap();
    let denied = |what: &str, code: String| assert_eq!(code, "AccessDenied", "{what}");

    // Listing: the root (no prefix, "", "/"), Bob's folder, and a prefix that only starts like Alice's.
    let err = alice
        .list_objects_v2()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap_err();
    denied("list without prefix", error_code(&err));
    for prefix in [
        "",
        "/",
        bob_folder.as_str(),
        alice_folder.trim_end_matches('/'),
    ] {
        let err = alice
            .list_objects_v2()
            .bucket(BUCKET)
            .prefix(prefix)
            .send()
            .await
            .unwrap_err();
        denied(&format!("list v2 {prefix:?}"), error_code(&err));
        let err = alice
            .list_objects()
            .bucket(BUCKET)
            .prefix(prefix)
            .send()
            .await
            .unwrap_err();
        denied(&format!("list v1 {prefix:?}"), error_code(&err));
    }
    let err = alice.list_buckets().send().await.unwrap_err();
    denied("list buckets", error_code(&err));

    // Reading, writing, deleting and copying from Bob's folder.
    let err = alice
        .get_object()
        .bucket(BUCKET)
        .key(&bob_key)
        .send()
        .await
        .unwrap_err();
    denied("get", error_code(&err));
    let err = alice
        .head_object()
        .bucket(BUCKET)
        .key(&bob_key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_status(&err), 403, "head");
    let err = alice
        .put_object()
        .bucket(BUCKET)
        .key(format!("{bob_folder}planted"))
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    denied("put", error_code(&err));
    let err = alice
        .delete_object()
        .bucket(BUCKET)
        .key(&bob_key)
        .send()
        .await
        .unwrap_err();
    denied("delete", error_code(&err));
    let err = alice
        .copy_object()
        .bucket(BUCKET)
        .key(format!("{alice_folder}stolen"))
        .copy_source(format!("{BUCKET}/{bob_key}"))
        .send()
        .await
        .unwrap_err();
    denied("copy from", error_code(&err));
    alice
        .put_object()
        .bucket(BUCKET)
        .key(format!("{alice_folder}mine"))
        .body(ByteStream::from_static(b"a"))
        .send()
        .await
        .unwrap();
    let err = alice
        .copy_object()
        .bucket(BUCKET)
        .key(format!("{bob_folder}pushed"))
        .copy_source(format!("{BUCKET}/{alice_folder}mine"))
        .send()
        .await
        .unwrap_err();
    denied("copy into", error_code(&err));
    let err = alice
        .create_multipart_upload()
        .bucket(BUCKET)
        .key(format!("{bob_folder}big"))
        .send()
        .await
        .unwrap_err();
    denied("multipart into", error_code(&err));
    let err = alice
        .create_bucket()
        .bucket("another")
        .send()
        .await
        .unwrap_err();
    denied("create bucket", error_code(&err));

    // Probing the bucket needs more than the folder policy grants, as on AWS.
    let err = alice.head_bucket().bucket(BUCKET).send().await.unwrap_err();
    assert_eq!(error_status(&err), 403, "head bucket");
    let err = alice
        .get_bucket_location()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap_err();
    denied("get bucket location", error_code(&err));

    // Bob's object is untouched, and listing her own folder still works.
    let got = bob
        .get_object()
        .bucket(BUCKET)
        .key(&bob_key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.body.collect().await.unwrap().into_bytes().as_ref(),
        b"bob's"
    );
    alice
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(&alice_folder)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn admin_may_do_everything() {
    let server = TestServer::start().await;
    let (folder, user) = server.identity("us-east-1:someone");
    user.put_object()
        .bucket(BUCKET)
        .key(format!("{folder}f"))
        .body(ByteStream::from_static(b"1"))
        .send()
        .await
        .unwrap();
    let admin = server.admin();
    let all = admin.list_objects_v2().bucket(BUCKET).send().await.unwrap();
    assert_eq!(all.key_count(), Some(1));
    let buckets = admin.list_buckets().send().await.unwrap();
    assert_eq!(buckets.buckets()[0].name(), Some(BUCKET));
    admin
        .delete_object()
        .bucket(BUCKET)
        .key(format!("{folder}f"))
        .send()
        .await
        .unwrap();
    let err = admin
        .head_bucket()
        .bucket("other")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_status(&err), 404);
}

#[tokio::test]
async fn presigned_get_works_with_its_session_token_and_only_inside_the_folder() {
    use aws_sdk_s3::presigning::PresigningConfig;
    let server = TestServer::start().await;
    let (folder, s3) = server.identity("us-east-1:sharer");
    let key = format!("{folder}shared file.txt");
    s3.put_object()
        .bucket(BUCKET)
        .key(&key)
        .body(ByteStream::from_static(b"shared"))
        .send()
        .await
        .unwrap();
    let presign = || PresigningConfig::expires_in(Duration::from_secs(600)).unwrap();
    let url = s3
        .get_object()
        .bucket(BUCKET)
        .key(&key)
        .presigned(presign())
        .await
        .unwrap();
    assert!(url.uri().contains("X-Amz-Security-Token"));
    let response = reqwest::get(url.uri()).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"shared");

    let tampered = url
        .uri()
        .replace("X-Amz-Security-Token=", "X-Amz-Security-Token=x");
    assert_eq!(reqwest::get(tampered).await.unwrap().status(), 403);
    let elsewhere = s3
        .get_object()
        .bucket(BUCKET)
        .key("us-east-1:other/file")
        .presigned(presign())
        .await
        .unwrap();
    assert_eq!(reqwest::get(elsewhere.uri()).await.unwrap().status(), 403);
}

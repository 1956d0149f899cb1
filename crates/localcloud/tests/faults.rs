//! Fault injection as tests use it: rules set in-process or through the admin route make the
//! real server delay, reset connections mid-body, or answer 503 SlowDown / 500.

use std::time::{Duration, Instant};

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use cubby_localcloud::{ADMIN_HEADER, FaultAction, FaultRule, Trigger};
use cubby_test_support::TestCloud;
use cubby_test_support::aws::{admin_credentials, identity_client, s3_config};
use cubby_test_support::oauth::sign_in;

/// An S3 client with the admin credential and no retries, so every injected fault shows.
fn admin_s3(sb: &TestCloud) -> aws_sdk_s3::Client {
    let config = s3_config(&sb.profile, admin_credentials(&sb.cloud))
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

async fn put(s3: &aws_sdk_s3::Client, key: &str, body: Vec<u8>) -> Result<(), String> {
    s3.put_object()
        .bucket("cubby")
        .key(key)
        .body(ByteStream::from(body))
        .send()
        .await
        .map(|_| ())
        .map_err(|err| {
            format!(
                "{} {}",
                err.code().unwrap_or("no-code"),
                aws_smithy_types::error::display::DisplayErrorContext(&err)
            )
        })
}

#[tokio::test]
async fn nth_request_of_an_operation_gets_slow_down_then_500() {
    let sb = TestCloud::start().await;
    let s3 = admin_s3(&sb);
    let faults = sb.cloud.faults();
    faults
        .add(FaultRule::new(
            Some("PutObject"),
            Trigger::Nth { n: 2 },
            FaultAction::Status { status: 503 },
        ))
        .unwrap();
    faults
        .add(FaultRule::new(
            Some("PutObject"),
            Trigger::Nth { n: 3 },
            FaultAction::Status { status: 500 },
        ))
        .unwrap();
    assert!(put(&s3, "a", b"1".to_vec()).await.is_ok());
    let second = put(&s3, "a", b"2".to_vec()).await.unwrap_err();
    assert!(second.starts_with("SlowDown"), "{second}");
    let third = put(&s3, "a", b"3".to_vec()).await.unwrap_err();
    assert!(third.starts_with("InternalError"), "{third}");
    assert!(put(&s3, "a", b"4".to_vec()).await.is_ok());
    // Other operations were never touched.
    let got = s3
        .get_object()
        .bucket("cubby")
        .key("a")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.body.collect().await.unwrap().into_bytes().as_ref(),
        b"4"
    );
    let fired: Vec<u64> = faults.status().iter().map(|r| r.fired).collect();
    assert_eq!(fired, [1, 1]);
}

#[tokio::test]
async fn reset_mid_body_breaks_the_download_and_the_upload() {
    let sb = TestCloud::start().await;
    let s3 = admin_s3(&sb);
    let data = vec![42u8; 1 << 20];
    put(&s3, "big", data.clone()).await.unwrap();

    sb.cloud
        .faults()
        .add(FaultRule::new(
            Some("GetObject"),
            Trigger::Nth { n: 1 },
            FaultAction::ResetResponse { after_bytes: 1000 },
        ))
        .unwrap();
    let response = s3
        .get_object()
        .bucket("cubby")
        .key("big")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.content_length(),
        Some(data.len() as i64),
        "headers arrive whole"
    );
    assert!(
        response.body.collect().await.is_err(),
        "the body is cut off"
    );
    let again = s3
        .get_object()
        .bucket("cubby")
        .key("big")
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.body.collect().await.unwrap().into_bytes().len(),
        data.len()
    );

    sb.cloud
        .faults()
        .add(FaultRule::new(
            Some("PutObject"),
            Trigger::Nth { n: 1 },
            FaultAction::ResetRequest { after_bytes: 4096 },
        ))
        .unwrap();
    let err = put(&s3, "other", data.clone()).await.unwrap_err();
    assert!(
        !err.starts_with("SlowDown"),
        "a dropped connection, not an S3 error: {err}"
    );
    let missing = s3.head_object().bucket("cubby").key("other").send().await;
    assert!(missing.is_err(), "a reset upload stores nothing");
}

#[tokio::test]
async fn delay_holds_the_response_back() {
    let sb = TestCloud::start().await;
    let s3 = admin_s3(&sb);
    put(&s3, "k", b"v".to_vec()).await.unwrap();
    sb.cloud
        .faults()
        .add(FaultRule::new(
            Some("HeadObject"),
            Trigger::Nth { n: 1 },
            FaultAction::Delay { millis: 300 },
        ))
        .unwrap();
    let started = Instant::now();
    s3.head_object()
        .bucket("cubby")
        .key("k")
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn share_of_requests_is_seeded_and_identity_calls_can_fail_too() {
    let sb = TestCloud::start().await;
    let s3 = admin_s3(&sb);
    sb.cloud
        .faults()
        .add(FaultRule::new(
            Some("PutObject"),
            Trigger::Share {
                fraction: 0.25,
                seed: 42,
            },
            FaultAction::Status { status: 503 },
        ))
        .unwrap();
    let mut failed = 0;
    for i in 0..40 {
        if put(&s3, &format!("k{i}"), vec![1]).await.is_err() {
            failed += 1;
        }
    }
    let status = &sb.cloud.faults().status()[0];
    assert_eq!(status.fired, failed);
    assert!(
        (3..=20).contains(&failed),
        "about a quarter of 40: {failed}"
    );

    sb.cloud.faults().clear();
    sb.cloud
        .faults()
        .add(FaultRule::new(
            Some("GetCredentialsForIdentity"),
            Trigger::Nth { n: 1 },
            FaultAction::Status { status: 503 },
        ))
        .unwrap();
    let tokens = sign_in(&sb.profile).await;
    let logins = std::collections::HashMap::from([(
        sb.profile.logins_key(),
        tokens["id_token"].as_str().unwrap().to_owned(),
    )]);
    let identity = identity_client(&sb.profile);
    let id = identity
        .get_id()
        .identity_pool_id(&sb.profile.identity_pool_id)
        .set_logins(Some(logins.clone()))
        .send()
        .await
        .unwrap()
        .identity_id
        .unwrap();
    // The SDK retries TooManyRequestsException by itself: the call still succeeds.
    identity
        .get_credentials_for_identity()
        .identity_id(id)
        .set_logins(Some(logins))
        .send()
        .await
        .unwrap();
    assert_eq!(sb.cloud.faults().status()[0].fired, 1);
}

#[tokio::test]
async fn admin_route_sets_rules_from_outside_and_refuses_others() {
    let sb = TestCloud::start().await;
    let url = sb.cloud.endpoint().join("_localcloud/faults").unwrap();
    let http = reqwest::Client::new();
    let rule = serde_json::json!({
        "operation": "PutObject",
        "trigger": {"kind": "nth", "n": 1},
        "action": {"kind": "status", "status": 503}
    });
    let denied = http.post(url.clone()).json(&rule).send().await.unwrap();
    assert_eq!(denied.status().as_u16(), 403);
    let denied = http
        .post(url.clone())
        .header(ADMIN_HEADER, "wrong")
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status().as_u16(), 403);

    let secret = sb.cloud.admin().secret_access_key;
    let created = http
        .post(url.clone())
        .header(ADMIN_HEADER, &secret)
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let bad = http
        .post(url.clone())
        .header(ADMIN_HEADER, &secret)
        .json(&serde_json::json!({"trigger": {"kind": "nth", "n": 0}, "action": {"kind": "delay", "millis": 1}}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);

    let err = put(&admin_s3(&sb), "x", vec![1]).await.unwrap_err();
    assert!(err.starts_with("SlowDown"), "{err}");
    let listed: serde_json::Value = http
        .get(url.clone())
        .header(ADMIN_HEADER, &secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["fired"], 1);
    let cleared = http
        .delete(url)
        .header(ADMIN_HEADER, &secret)
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status().as_u16(), 204);
    assert!(sb.cloud.faults().status().is_empty());
}

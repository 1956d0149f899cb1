//! With 5-second credentials (and 6-second id tokens), uploads keep succeeding for 20 seconds
//! from 8 concurrent workers: renewal happens before expiry, one renewal at a time, and no
//! `ExpiredToken` ever reaches the caller (the SDK's retries are off, so none is hidden).

mod auth_support;

use std::time::{Duration, Instant};

use auth_support::*;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::{BehaviorVersion, Region};
use cubby_core::secrets::SecretStore;
use cubby_localcloud::{FaultAction, FaultRule, Trigger};

const RUN_FOR: Duration = Duration::from_secs(20);
const WORKERS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_outlive_short_credentials_with_bounded_renewals() {
    let cloud = start(|config| {
        config.credentials_ttl = Duration::from_secs(5);
        config.token_ttl = Duration::from_secs(6);
    })
    .await;
    // A rule that never fires but counts the GetCredentialsForIdentity requests it sees.
    let counter = cloud
        .cloud
        .faults()
        .add(FaultRule::new(
            Some("GetCredentialsForIdentity"),
            Trigger::Share {
                fraction: 0.0,
                seed: 1,
            },
            FaultAction::Delay { millis: 0 },
        ))
        .unwrap();
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    let info = sign_in(&session).await;
    let profile = cloud.profile();
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(profile.region.clone()))
            .endpoint_url(profile.endpoints.s3.clone().unwrap().as_str())
            .force_path_style(true)
            .retry_config(RetryConfig::disabled())
            .credentials_provider(session.credentials_provider())
            .build(),
    );

    let started = Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|worker| {
            let s3 = s3.clone();
            let bucket = info.bucket.clone();
            let folder = info.folder.clone();
            tokio::spawn(async move {
                let (mut uploads, mut failures) = (0usize, Vec::new());
                while started.elapsed() < RUN_FOR {
                    let key = format!("{folder}renewal/{worker}-{uploads}.txt");
                    match s3
                        .put_object()
                        .bucket(&bucket)
                        .key(key)
                        .body(b"still signed in".to_vec().into())
                        .send()
                        .await
                    {
                        Ok(_) => uploads += 1,
                        Err(err) => failures.push(format!("{:?}", err.into_service_error())),
                    }
                }
                (uploads, failures)
            })
        })
        .collect();
    let mut total = 0;
    for worker in workers {
        let (uploads, failures) = worker.await.unwrap();
        assert!(failures.is_empty(), "uploads failed: {failures:?}");
        total += uploads;
    }
    assert!(total >= WORKERS * 10, "only {total} uploads in {RUN_FOR:?}");

    let renewals = cloud
        .cloud
        .faults()
        .status()
        .into_iter()
        .find(|rule| rule.id == counter)
        .unwrap()
        .matched;
    println!("{renewals} GetCredentialsForIdentity calls for {total} uploads");
    // Renewal at half the lifetime (4-5 s, the expiry has whole seconds): one call every 2 to
    // 2.5 s, about 10 in 20 s; without single flight it would be near one per upload.
    assert!(
        (4..=15).contains(&renewals),
        "{renewals} GetCredentialsForIdentity calls for {total} uploads"
    );
}

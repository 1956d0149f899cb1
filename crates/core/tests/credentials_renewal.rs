//! With 5-second credentials (and 6-second id tokens), uploads keep succeeding for 20 seconds
//! from 8 concurrent workers: renewal happens before expiry, one renewal at a time, and no
//! `ExpiredToken` ever reaches the caller (the SDK's retries are off, so none is hidden).
//! A multipart upload and a ranged download that outlast their credentials finish intact.

use std::time::{Duration, Instant};

use aws_sdk_s3::config::retry::RetryConfig;
use cubby_core::secrets::SecretStore;
use cubby_core::storage::{RemotePath, Storage};
use cubby_core::transfer::{StateDb, TransferOptions, Transfers};
use cubby_localcloud::{FaultAction, FaultRule, Trigger};
use cubby_test_support::TestCloud;
use cubby_test_support::aws::s3_config;
use cubby_test_support::session::sign_in;

const RUN_FOR: Duration = Duration::from_secs(20);
const WORKERS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_outlive_short_credentials_with_bounded_renewals() {
    let cloud = TestCloud::start_with(|config| {
        config.credentials_ttl = Duration::from_secs(5);
        config.token_ttl = Duration::from_secs(6);
    })
    .await;
    let counter = count_requests(&cloud, "GetCredentialsForIdentity");
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    let info = sign_in(&session).await;
    let s3 = aws_sdk_s3::Client::from_conf(
        s3_config(&cloud.profile, session.credentials_provider())
            .retry_config(RetryConfig::disabled())
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

    let renewals = requests_counted(&cloud, counter);
    println!("{renewals} GetCredentialsForIdentity calls for {total} uploads");
    // Renewal at half the lifetime (4-5 s, the expiry has whole seconds): one call every 2 to
    // 2.5 s, about 10 in 20 s; without single flight it would be near one per upload.
    assert!(
        (4..=15).contains(&renewals),
        "{renewals} GetCredentialsForIdentity calls for {total} uploads"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_outlasting_its_credentials_finishes_intact() {
    const MIB: usize = 1 << 20;
    let cloud =
        TestCloud::start_with(|config| config.credentials_ttl = Duration::from_secs(4)).await;
    let store = SecretStore::memory();
    let session = cloud.session(&store);
    let info = sign_in(&session).await;
    let storage = Storage::new(
        &cloud.profile,
        &info.identity_id,
        session.credentials_provider(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Six 5 MiB parts and six ranges, one at a time, each held back 800 ms by the server:
    // each direction takes longer than the 4-second credentials live.
    let options = TransferOptions {
        part_size: 5 * MIB as u64,
        multipart_threshold: 6 * MIB as u64,
        parts_in_flight: 1,
        ..TransferOptions::default()
    };
    let state = StateDb::open(&dir.path().join("state.db")).unwrap();
    let (transfers, _events) = Transfers::new(storage, state, options);
    for operation in ["UploadPart", "GetObject"] {
        delay_share(&cloud, operation, 1.0, 800);
    }
    let renewals = count_requests(&cloud, "GetCredentialsForIdentity");
    let data: Vec<u8> = (0..30 * MIB).map(|i| (i % 251) as u8).collect();
    let local = dir.path().join("long.bin");
    std::fs::write(&local, &data).unwrap();
    let remote = RemotePath::parse("long.bin").unwrap();

    let started = Instant::now();
    transfers
        .upload(local, remote.clone())
        .wait()
        .await
        .expect("the upload outlives its credentials");
    let back = dir.path().join("back.bin");
    transfers
        .download(remote, back.clone())
        .wait()
        .await
        .expect("the download outlives its credentials");
    let took = started.elapsed();

    assert!(took > Duration::from_secs(8), "took only {took:?}");
    assert!(
        std::fs::read(&back).unwrap() == data,
        "the bytes came back changed"
    );
    let renewed = requests_counted(&cloud, renewals);
    assert!(
        renewed >= 2,
        "credentials renewed {renewed} times in {took:?}"
    );
}

/// A rule that never fires but counts the requests of `operation` it sees.
fn count_requests(cloud: &TestCloud, operation: &str) -> u64 {
    delay_share(cloud, operation, 0.0, 0)
}

/// Holds back this share of the requests of `operation` by `millis`; the rule's id.
fn delay_share(cloud: &TestCloud, operation: &str, fraction: f64, millis: u64) -> u64 {
    cloud
        .cloud
        .faults()
        .add(FaultRule::new(
            Some(operation),
            Trigger::Share { fraction, seed: 1 },
            FaultAction::Delay { millis },
        ))
        .unwrap()
}

fn requests_counted(cloud: &TestCloud, counter: u64) -> u64 {
    cloud
        .cloud
        .faults()
        .status()
        .into_iter()
        .find(|rule| rule.id == counter)
        .unwrap()
        .matched
}

//! Transfers that survive an interruption or a crash: a download keeps a partial file beside
//! the target (never a half file under the real name) that a later queue on the same state
//! database finishes from the bytes already there, and the queue itself comes back from that
//! database, paused or running as it was.

use std::path::Path;
use std::time::Duration;

use cubby_core::ErrorCode;
use cubby_core::storage::{RemotePath, RetryPolicy};
use cubby_core::transfer::{
    Direction, EventKind, QueueState, StateDb, TransferOptions, Transfers, Unfinished,
};
use cubby_localcloud::{FaultAction, FaultRule, Trigger};
use cubby_test_support::Backend;
use cubby_test_support::transfers::{MIB, fast_retry, small_parts, wait_all, write_file};

fn path(p: &str) -> RemotePath {
    RemotePath::parse(p).unwrap()
}

fn one_range_at_a_time() -> TransferOptions {
    TransferOptions {
        parts_in_flight: 1,
        ..small_parts()
    }
}

/// Counts the GetObject requests the server sees from now on (a fault that changes nothing).
fn count_gets(backend: &Backend) -> u64 {
    backend
        .cloud
        .faults()
        .add(FaultRule::new(
            Some("GetObject"),
            Trigger::Share {
                fraction: 1.0,
                seed: 0,
            },
            FaultAction::Delay { millis: 0 },
        ))
        .unwrap()
}

fn fired(backend: &Backend, rule: u64) -> u64 {
    let status = backend.cloud.faults().status();
    status.iter().find(|s| s.id == rule).unwrap().fired
}

/// Uploads 21 MiB (five ranges of 5 MiB) as `big`; its bytes.
async fn upload_big(backend: &Backend, seed: u8) -> Vec<u8> {
    let source = backend.local_dir("source");
    let data = write_file(&source.join("big"), 21 * MIB as usize, seed);
    let (transfers, _events) = backend.transfers(small_parts());
    transfers
        .upload(source.join("big"), path("big"))
        .wait()
        .await
        .unwrap();
    data
}

/// Downloads `big` to `target` through a queue whose connection breaks in the third range
/// and that does not retry; the queue is dropped afterwards, as at a crash.
async fn interrupted_download(backend: &Backend, db: &StateDb, target: &std::path::Path) {
    let faults = backend.cloud.faults();
    let reset = faults
        .add(FaultRule::new(
            Some("GetObject"),
            Trigger::Nth { n: 3 },
            FaultAction::ResetResponse { after_bytes: MIB },
        ))
        .unwrap();
    let no_retries = RetryPolicy {
        max_attempts: 1,
        ..fast_retry()
    };
    let storage = backend.storage().with_retry(no_retries);
    let (transfers, _events) = Transfers::new(storage, db.clone(), one_range_at_a_time());
    let err = transfers
        .download(path("big"), target.to_owned())
        .wait()
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NetInterrupted, "{err:?}");
    faults.remove(reset);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_download_resumes_from_its_partial_file() {
    let backend = Backend::localcloud("resume-down@example.com").await;
    let data = upload_big(&backend, 7).await;
    let db_path = backend.dir.path().join("state/transfers.sqlite");
    let target = backend.local_dir("down").join("big");
    let partial = target.with_file_name(".big.cubby-partial");

    interrupted_download(&backend, &StateDb::open(&db_path).unwrap(), &target).await;
    assert!(!target.exists(), "a half file under the real name");
    assert!(partial.exists(), "the partial file is kept");

    let gets = count_gets(&backend);
    let (transfers, mut events) = Transfers::new(
        backend.storage(),
        StateDb::open(&db_path).unwrap(),
        one_range_at_a_time(),
    );
    let size = transfers
        .download(path("big"), target.clone())
        .wait()
        .await
        .unwrap();
    assert_eq!(size, data.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert!(!partial.exists(), "the partial file became the target");
    let resumed = std::iter::from_fn(|| events.try_recv().ok()).find_map(|e| match e.kind {
        EventKind::Resumed {
            parts_done,
            bytes_done,
        } => Some((parts_done, bytes_done)),
        _ => None,
    });
    assert_eq!(resumed, Some((2, 10 * MIB)));
    assert_eq!(fired(&backend, gets), 3, "only the three missing ranges");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_partial_bytes_are_fetched_again() {
    let backend = Backend::localcloud("damaged-partial@example.com").await;
    let data = upload_big(&backend, 9).await;
    let db = StateDb::in_memory().unwrap();
    let target = backend.local_dir("down").join("big");
    interrupted_download(&backend, &db, &target).await;
    let partial = target.with_file_name(".big.cubby-partial");
    let mut bytes = std::fs::read(&partial).unwrap();
    bytes[MIB as usize] ^= 0xff; // in the first range
    std::fs::write(&partial, bytes).unwrap();

    let gets = count_gets(&backend);
    let (transfers, _events) = Transfers::new(backend.storage(), db, one_range_at_a_time());
    transfers
        .download(path("big"), target.clone())
        .wait()
        .await
        .unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert_eq!(
        fired(&backend, gets),
        4,
        "the damaged range and the three missing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_object_starts_the_download_over() {
    let backend = Backend::localcloud("changed-partial@example.com").await;
    upload_big(&backend, 11).await;
    let db = StateDb::in_memory().unwrap();
    let target = backend.local_dir("down").join("big");
    interrupted_download(&backend, &db, &target).await;
    let newer = upload_big(&backend, 12).await;

    let (transfers, _events) = Transfers::new(backend.storage(), db, one_range_at_a_time());
    transfers
        .download(path("big"), target.clone())
        .wait()
        .await
        .unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), newer);
    assert!(!target.with_file_name(".big.cubby-partial").exists());
}

/// Runs `queue` on a runtime of its own in another thread, then drops that runtime once
/// `stop_when` holds: every task of the queue ends where it was, as in a crash.
fn crash_after(queue: impl AsyncFnOnce() -> Transfers + Send, stop_when: impl Fn() -> bool + Send) {
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            let transfers = runtime.block_on(queue());
            while !stop_when() {
                std::thread::sleep(Duration::from_millis(10));
            }
            drop(runtime);
            drop(transfers);
        });
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_cut_by_a_crash_comes_back_and_finishes_from_its_partial_file() {
    let backend = Backend::localcloud("crash-down@example.com").await;
    let data = upload_big(&backend, 13).await;
    let db_path = backend.dir.path().join("state/transfers.sqlite");
    let target = backend.local_dir("down").join("big");
    // The third range is held back by the server until the crash.
    let hold = backend
        .cloud
        .faults()
        .add(FaultRule::new(
            Some("GetObject"),
            Trigger::Nth { n: 3 },
            FaultAction::Delay { millis: 60_000 },
        ))
        .unwrap();
    let held = || {
        let status = backend.cloud.faults().status();
        status.iter().any(|s| s.id == hold && s.fired == 1)
    };
    crash_after(
        async || {
            let db = StateDb::open(&db_path).unwrap();
            let (transfers, _events) = Transfers::new(backend.storage(), db, one_range_at_a_time());
            drop(transfers.download(path("big"), target.clone()));
            transfers
        },
        held,
    );
    backend.cloud.faults().remove(hold);
    assert!(!target.exists(), "a half file under the real name");
    assert!(target.with_file_name(".big.cubby-partial").exists());

    let gets = count_gets(&backend);
    let db = StateDb::open(&db_path).unwrap();
    // Another part size than the first queue's: the partial file keeps its own ranges.
    let other_part_size = TransferOptions {
        part_size: 8 * MIB,
        ..one_range_at_a_time()
    };
    let (transfers, mut events) = Transfers::new(backend.storage(), db, other_part_size);
    assert_eq!(
        transfers.unfinished().unwrap(),
        [Unfinished {
            direction: Direction::Download,
            local: target.clone(),
            remote: path("big"),
            state: QueueState::Running,
            error: None,
        }]
    );
    wait_all(transfers.restore().unwrap()).await;
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert!(transfers.unfinished().unwrap().is_empty());
    let resumed = std::iter::from_fn(|| events.try_recv().ok()).find_map(|e| match e.kind {
        EventKind::Resumed { bytes_done, .. } => Some(bytes_done),
        _ => None,
    });
    assert_eq!(resumed, Some(10 * MIB));
    assert_eq!(fired(&backend, gets), 3, "only the three missing ranges");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_upload_queue_comes_back_paused() {
    let backend = Backend::localcloud("paused-queue@example.com").await;
    let db_path = backend.dir.path().join("state/transfers.sqlite");
    let dir = backend.local_dir("up");
    let a = write_file(&dir.join("a"), 1000, 1);
    let b = write_file(&dir.join("b"), 2000, 2);
    crash_after(
        async || {
            let db = StateDb::open(&db_path).unwrap();
            let (transfers, _events) = Transfers::new(backend.storage(), db, small_parts());
            transfers.pause();
            drop(transfers.upload(dir.join("a"), path("a")));
            drop(transfers.upload(dir.join("b"), path("docs/b")));
            transfers
        },
        || true,
    );

    let db = StateDb::open(&db_path).unwrap();
    let (transfers, _events) = Transfers::new(backend.storage(), db, small_parts());
    let unfinished = transfers.unfinished().unwrap();
    let shown: Vec<(Direction, &Path, RemotePath, QueueState)> = unfinished
        .iter()
        .map(|u| (u.direction, u.local.as_path(), u.remote.clone(), u.state))
        .collect();
    let paused = QueueState::Paused;
    assert_eq!(
        shown,
        [
            (
                Direction::Upload,
                dir.join("a").as_path(),
                path("a"),
                paused
            ),
            (
                Direction::Upload,
                dir.join("b").as_path(),
                path("docs/b"),
                paused
            ),
        ]
    );
    let handles = transfers.restore().unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let key = |name: &str| format!("{}/{name}", backend.identity_id);
    assert!(
        backend.admin.all_keys().await.is_empty(),
        "the queue came back paused"
    );
    transfers.resume();
    wait_all(handles).await;
    assert_eq!(backend.admin.get(&key("a")).await, a);
    assert_eq!(backend.admin.get(&key("docs/b")).await, b);
    assert!(transfers.unfinished().unwrap().is_empty());
}

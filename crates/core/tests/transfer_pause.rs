//! Pausing one transfer keeps what it moved (a multipart upload's parts on the server, a
//! download's partial file), and resuming it continues from there under the same id.

use std::time::Duration;

use cubby_core::storage::RemotePath;
use cubby_core::transfer::{EventKind, TransferEvent, TransferId, TransferOptions};
use cubby_localcloud::{FaultAction, FaultRule, Trigger};
use cubby_test_support::Backend;
use cubby_test_support::transfers::{MIB, small_parts, write_file};
use tokio::sync::mpsc::UnboundedReceiver;

/// One part at a time, the second one held up by the server long enough to pause meanwhile.
fn one_part_at_a_time() -> TransferOptions {
    TransferOptions {
        parts_in_flight: 1,
        ..small_parts()
    }
}

/// Holds up the second `operation` request for 4 s; returns the rule, for [`held_up`].
fn second_request_waits(backend: &Backend, operation: &str) -> u64 {
    let rule = FaultRule::new(
        Some(operation),
        Trigger::Nth { n: 2 },
        FaultAction::Delay { millis: 4000 },
    );
    backend.cloud.faults().add(rule).unwrap()
}

/// Once the held-up request has arrived: the first part or range is done, the second waits.
async fn held_up(backend: &Backend, rule: u64) {
    tokio::time::timeout(
        Duration::from_secs(60),
        backend.cloud.faults().fired(rule, 1),
    )
    .await
    .expect("the second request came");
}

/// A 12 MiB file written with `seed` in `backend`'s folder "up", whose second part's upload
/// is held up (see [`second_request_waits`]): the file, its bytes and the rule.
fn big_file_held_up(backend: &Backend, seed: u8) -> (std::path::PathBuf, Vec<u8>, u64) {
    let rule = second_request_waits(backend, "UploadPart");
    let file = backend.local_dir("up").join("big");
    let data = write_file(&file, 12 * MIB as usize, seed);
    (file, data, rule)
}

/// The next event of `id` that `pick` accepts, skipping the others.
async fn next_of<T>(
    events: &mut UnboundedReceiver<TransferEvent>,
    id: TransferId,
    pick: impl Fn(&EventKind) -> Option<T>,
) -> T {
    let wait = async {
        loop {
            let event = events.recv().await.expect("the queue lives");
            if event.id == id
                && let Some(found) = pick(&event.kind)
            {
                return found;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), wait)
        .await
        .expect("the event came")
}

fn resumed(kind: &EventKind) -> Option<u64> {
    match kind {
        EventKind::Resumed { bytes_done, .. } => Some(*bytes_done),
        EventKind::Failed { message, .. } => panic!("failed: {message}"),
        _ => None,
    }
}

fn finished(kind: &EventKind) -> Option<u64> {
    match kind {
        EventKind::Finished { bytes } => Some(*bytes),
        EventKind::Failed { message, .. } => panic!("failed: {message}"),
        _ => None,
    }
}

fn paused(kind: &EventKind) -> Option<()> {
    matches!(kind, EventKind::Paused).then_some(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_upload_keeps_its_parts_and_resumes_under_its_id() {
    let backend = Backend::localcloud("pause-up@example.com").await;
    let (file, data, rule) = big_file_held_up(&backend, 7);
    let (transfers, mut events) = backend.transfers(one_part_at_a_time());
    let id = transfers.upload(file, RemotePath::parse("big").unwrap()).id;

    held_up(&backend, rule).await;
    transfers.pause_transfer(id).unwrap();
    next_of(&mut events, id, paused).await;
    assert_eq!(
        backend.admin.unfinished_multipart_uploads().await,
        1,
        "the upload is kept on the server"
    );
    let key = format!("{}/big", backend.identity_id);
    assert!(!backend.admin.all_keys().await.contains(&key));

    let resumed_handle = transfers.resume_transfer(id).unwrap().expect("it was held");
    assert_eq!(resumed_handle.id, id);
    assert_eq!(
        next_of(&mut events, id, resumed).await,
        5 * MIB,
        "part 1 kept"
    );
    assert_eq!(next_of(&mut events, id, finished).await, 12 * MIB);
    assert_eq!(backend.admin.get(&key).await, data);
    assert!(transfers.unfinished().unwrap().is_empty());
    assert_eq!(transfers.forget_ended().unwrap(), [id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_download_keeps_its_partial_file_and_resumes_under_its_id() {
    let backend = Backend::localcloud("pause-down@example.com").await;
    let key = format!("{}/big", backend.identity_id);
    let data: Vec<u8> = (0..12 * MIB).map(|i| (i % 251) as u8).collect();
    backend.admin.put(&key, &data).await;
    let rule = second_request_waits(&backend, "GetObject");
    let (transfers, mut events) = backend.transfers(one_part_at_a_time());
    let dir = backend.local_dir("down");
    let target = dir.join("big");
    let id = transfers
        .download(RemotePath::parse("big").unwrap(), target.clone())
        .id;

    held_up(&backend, rule).await;
    transfers.pause_transfer(id).unwrap();
    next_of(&mut events, id, paused).await;
    assert!(
        dir.join(".big.cubby-partial").is_file(),
        "the partial file is kept"
    );
    assert!(!target.exists(), "no half file under the real name");

    transfers.resume_transfer(id).unwrap().expect("it was held");
    assert_eq!(
        next_of(&mut events, id, resumed).await,
        5 * MIB,
        "range 1 kept"
    );
    assert_eq!(next_of(&mut events, id, finished).await, 12 * MIB);
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert!(!dir.join(".big.cubby-partial").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_transfer_cancelled_drops_what_it_kept() {
    let backend = Backend::localcloud("pause-cancel@example.com").await;
    let (file, _, rule) = big_file_held_up(&backend, 3);
    let (transfers, mut events) = backend.transfers(one_part_at_a_time());
    let id = transfers.upload(file, RemotePath::parse("big").unwrap()).id;
    held_up(&backend, rule).await;
    transfers.pause_transfer(id).unwrap();
    next_of(&mut events, id, paused).await;

    transfers.cancel_transfer(id).await.unwrap();
    next_of(&mut events, id, |k| {
        matches!(k, EventKind::Cancelled).then_some(())
    })
    .await;
    assert_eq!(backend.admin.unfinished_multipart_uploads().await, 0);
    assert!(transfers.unfinished().unwrap().is_empty());
    let retried = transfers
        .retry_transfer(id)
        .unwrap()
        .expect("cancelled can be retried");
    assert_eq!(retried.wait().await.unwrap(), 12 * MIB);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_queue_leaves_its_transfers_for_the_next_one() {
    use cubby_core::transfer::{QueueState, StateDb, Transfers};
    let backend = Backend::localcloud("stop-all@example.com").await;
    let (file, data, rule) = big_file_held_up(&backend, 9);
    let db = backend.dir.path().join("transfers.sqlite");
    let (first, _events) = Transfers::new(
        backend.storage(),
        StateDb::open(&db).unwrap(),
        one_part_at_a_time(),
    );
    let handle = first.upload(file, RemotePath::parse("big").unwrap());
    held_up(&backend, rule).await;
    first.stop_all();
    assert!(handle.wait().await.is_err());
    let unfinished = first.unfinished().unwrap();
    assert_eq!(unfinished.len(), 1);
    assert_eq!(unfinished[0].state, QueueState::Running, "kept as it was");

    let (second, mut events) = Transfers::new(
        backend.storage(),
        StateDb::open(&db).unwrap(),
        one_part_at_a_time(),
    );
    let restored = second.restore().unwrap();
    let id = restored[0].id;
    assert_eq!(next_of(&mut events, id, resumed).await, 5 * MIB);
    assert_eq!(next_of(&mut events, id, finished).await, 12 * MIB);
    let key = format!("{}/big", backend.identity_id);
    assert_eq!(backend.admin.get(&key).await, data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_transfer_comes_back_held_after_a_restart() {
    use cubby_core::transfer::{QueueState, StateDb, Transfers};
    let backend = Backend::localcloud("held-restart@example.com").await;
    let (file, data, rule) = big_file_held_up(&backend, 5);
    let db = backend.dir.path().join("transfers.sqlite");
    let queue = || {
        Transfers::new(
            backend.storage(),
            StateDb::open(&db).unwrap(),
            one_part_at_a_time(),
        )
    };
    let (first, mut events) = queue();
    let id = first.upload(file, RemotePath::parse("big").unwrap()).id;
    held_up(&backend, rule).await;
    first.pause_transfer(id).unwrap();
    next_of(&mut events, id, paused).await;
    drop(first);

    let (second, mut events) = queue();
    assert_eq!(second.unfinished().unwrap()[0].state, QueueState::Held);
    assert!(second.restore().unwrap().is_empty(), "nothing runs");
    let held = events.recv().await.unwrap();
    assert!(matches!(held.kind, EventKind::Queued { .. }));
    next_of(&mut events, held.id, paused).await;
    assert!(
        !second.is_paused(),
        "only that transfer is held, not the queue"
    );

    let resumed_handles = second.resume_held();
    assert_eq!(resumed_handles.len(), 1);
    assert_eq!(next_of(&mut events, held.id, resumed).await, 5 * MIB);
    assert_eq!(next_of(&mut events, held.id, finished).await, 12 * MIB);
    let key = format!("{}/big", backend.identity_id);
    assert_eq!(backend.admin.get(&key).await, data);
}

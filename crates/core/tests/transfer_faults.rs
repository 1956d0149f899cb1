//! Transfers under faults injected by localcloud (resets mid-body, SlowDown, 500s, a server
//! that is down), local files that change during an upload, a full disk, cancel, and resume of
//! a multipart upload after a restart.

use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use cubby_core::ErrorCode;
use cubby_core::storage::{
    GetObjectParams, ObjectClient, PutObjectParams, RemotePath, RetryPolicy, SdkClient, Storage,
};
use cubby_core::timeouts::Timeouts;
use cubby_core::transfer::{EventKind, StateDb, TransferEvent, TransferOptions, Transfers};
use cubby_localcloud::{FaultAction, FaultRule, Trigger};
use cubby_test_support::Backend;
use cubby_test_support::ports::free_port;
use cubby_test_support::transfers::{MIB, fast_retry, small_parts, upload_tree, write_file};
use futures::TryStreamExt;
use tokio::sync::mpsc::UnboundedReceiver;

fn path(p: &str) -> RemotePath {
    RemotePath::parse(p).unwrap()
}

fn fault(operation: &str, trigger: Trigger, action: FaultAction) -> FaultRule {
    FaultRule::new(Some(operation), trigger, action)
}

/// `action` on every request of `operation`.
fn on_every(operation: &str, action: FaultAction) -> FaultRule {
    fault(
        operation,
        Trigger::Share {
            fraction: 1.0,
            seed: 0,
        },
        action,
    )
}

fn retries(events: &mut UnboundedReceiver<TransferEvent>) -> usize {
    std::iter::from_fn(|| events.try_recv().ok())
        .filter(|e| matches!(e.kind, EventKind::Retrying { .. }))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_down_and_500s_are_retried() {
    let backend = Backend::localcloud("busy@example.com").await;
    let faults = backend.cloud.faults();
    faults
        .add(fault(
            "PutObject",
            Trigger::Share {
                fraction: 0.3,
                seed: 1,
            },
            FaultAction::Status { status: 503 },
        ))
        .unwrap();
    faults
        .add(fault(
            "UploadPart",
            Trigger::Nth { n: 2 },
            FaultAction::Status { status: 500 },
        ))
        .unwrap();
    let (transfers, mut events) = backend.transfers(small_parts());
    let dir = backend.local_dir("busy");
    let mut data = Vec::new();
    for i in 0..20 {
        data.push(write_file(&dir.join(format!("f{i:02}")), 1000, i));
    }
    let big = write_file(&dir.join("big"), 12 * MIB as usize, 99);
    upload_tree(&transfers, dir).await;
    for (i, bytes) in data.iter().enumerate() {
        assert_eq!(
            &backend
                .admin
                .get(&format!("{}/busy/f{i:02}", backend.identity_id))
                .await,
            bytes
        );
    }
    assert_eq!(
        backend
            .admin
            .get(&format!("{}/busy/big", backend.identity_id))
            .await,
        big
    );
    let fired: u64 = faults.status().iter().map(|s| s.fired).sum();
    assert!(fired >= 2, "faults fired: {fired}");
    assert_eq!(retries(&mut events) as u64, fired);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_resets_mid_body_are_retried_both_ways() {
    let backend = Backend::localcloud("resets@example.com").await;
    let faults = backend.cloud.faults();
    faults
        .add(fault(
            "UploadPart",
            Trigger::Nth { n: 1 },
            FaultAction::ResetRequest { after_bytes: MIB },
        ))
        .unwrap();
    faults
        .add(fault(
            "GetObject",
            Trigger::Nth { n: 2 },
            FaultAction::ResetResponse {
                after_bytes: 100_000,
            },
        ))
        .unwrap();
    let (transfers, mut events) = backend.transfers(small_parts());
    let dir = backend.local_dir("resets");
    let data = write_file(&dir.join("big"), 11 * MIB as usize, 7);
    transfers
        .upload(dir.join("big"), path("big"))
        .wait()
        .await
        .unwrap();
    assert_eq!(
        backend
            .admin
            .get(&format!("{}/big", backend.identity_id))
            .await,
        data
    );
    transfers
        .download(path("big"), dir.join("back"))
        .wait()
        .await
        .unwrap();
    assert_eq!(std::fs::read(dir.join("back")).unwrap(), data);
    assert!(
        faults.status().iter().all(|s| s.fired == 1),
        "{:?}",
        faults.status()
    );
    let all: Vec<_> = std::iter::from_fn(|| events.try_recv().ok())
        .filter(|e| !matches!(e.kind, EventKind::Progress(_)))
        .collect();
    let retried = all
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Retrying { .. }));
    assert_eq!(retried.count(), 2, "{all:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_keeps_failing_gives_a_clear_error_and_no_object() {
    let backend = Backend::localcloud("down@example.com").await;
    backend
        .cloud
        .faults()
        .add(on_every("PutObject", FaultAction::Status { status: 503 }))
        .unwrap();
    let (transfers, _events) = backend.transfers(small_parts());
    let dir = backend.local_dir("down");
    write_file(&dir.join("f"), 10, 1);
    let err = transfers
        .upload(dir.join("f"), path("f"))
        .wait()
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::StorageUnavailable);
    assert!(
        err.message.contains("gave up after 6 attempts"),
        "{}",
        err.message
    );
    assert!(backend.admin.all_keys().await.is_empty());

    // Nobody listening at all: the same, as an offline error.
    let mut profile = backend.profile.clone();
    let closed = free_port();
    profile.endpoints.s3 = Some(format!("http://127.0.0.1:{closed}").parse().unwrap());
    let storage = Storage::new(&profile, &backend.identity_id, backend.credentials.clone())
        .unwrap()
        .with_retry(fast_retry());
    let err = storage.stat(&path("f")).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NetOffline, "{}", err.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_changing_during_upload_is_not_stored() {
    let backend = Backend::localcloud("changing@example.com").await;
    // Part 1 waits long enough for the test to change the file while the upload runs.
    backend
        .cloud
        .faults()
        .add(fault(
            "UploadPart",
            Trigger::Nth { n: 1 },
            FaultAction::Delay { millis: 1500 },
        ))
        .unwrap();
    let (transfers, mut events) = backend.transfers(small_parts());
    let dir = backend.local_dir("changing");
    let file = dir.join("growing.log");
    write_file(&file, 12 * MIB as usize, 3);
    let handle = transfers.upload(file.clone(), path("growing.log"));
    while let Some(event) = events.recv().await {
        if matches!(event.kind, EventKind::Started { .. }) {
            break;
        }
    }
    std::fs::write(&file, vec![0u8; 12 * MIB as usize + 1]).unwrap();
    let err = handle.wait().await.unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::TransferSourceChanged,
        "{}",
        err.message
    );
    assert!(
        backend.admin.all_keys().await.is_empty(),
        "no object, mixed or otherwise"
    );
    assert_eq!(backend.admin.unfinished_multipart_uploads().await, 0);

    let err = transfers
        .upload(dir.join("vanished"), path("x"))
        .wait()
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::TransferLocalRead);
    assert!(err.message.contains("does not exist"), "{}", err.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_aborts_the_multipart_upload() {
    let backend = Backend::localcloud("cancel@example.com").await;
    backend
        .cloud
        .faults()
        .add(on_every("UploadPart", FaultAction::Delay { millis: 1000 }))
        .unwrap();
    let state = StateDb::in_memory().unwrap();
    let (transfers, mut events) = Transfers::new(backend.storage(), state.clone(), small_parts());
    let dir = backend.local_dir("cancel");
    write_file(&dir.join("big"), 12 * MIB as usize, 1);
    let handle = transfers.upload(dir.join("big"), path("big"));
    while let Some(event) = events.recv().await {
        if matches!(event.kind, EventKind::Started { .. }) {
            break;
        }
    }
    // The upload exists once the state database knows it.
    while state.unfinished_uploads().unwrap().is_empty() {
        tokio::task::yield_now().await;
    }
    handle.cancel();
    assert_eq!(
        handle.wait().await.unwrap_err().code,
        ErrorCode::TransferCancelled
    );
    assert_eq!(backend.admin.unfinished_multipart_uploads().await, 0);
    assert!(state.unfinished_uploads().unwrap().is_empty());
    assert!(std::iter::from_fn(|| events.try_recv().ok()).any(|e| e.kind == EventKind::Cancelled));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_upload_resumes_after_a_restart() {
    let backend = Backend::localcloud("resume@example.com").await;
    let db_path = backend.dir.path().join("state/transfers.sqlite");
    let dir = backend.local_dir("resume");
    let data = write_file(&dir.join("big"), 21 * MIB as usize, 5); // 5 parts of 5 MiB
    let one_at_a_time = TransferOptions {
        parts_in_flight: 1,
        ..small_parts()
    };
    let no_retries = RetryPolicy {
        max_attempts: 1,
        ..fast_retry()
    };
    backend
        .cloud
        .faults()
        .add(fault(
            "UploadPart",
            Trigger::Nth { n: 3 },
            FaultAction::Status { status: 500 },
        ))
        .unwrap();
    {
        let storage = backend.storage().with_retry(no_retries);
        let (transfers, _events) = Transfers::new(
            storage,
            StateDb::open(&db_path).unwrap(),
            one_at_a_time.clone(),
        );
        let err = transfers
            .upload(dir.join("big"), path("big"))
            .wait()
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::StorageUnavailable);
    }
    assert_eq!(backend.admin.unfinished_multipart_uploads().await, 1);

    let state = StateDb::open(&db_path).unwrap();
    assert_eq!(state.unfinished_uploads().unwrap().len(), 1);
    let (transfers, mut events) = Transfers::new(backend.storage(), state.clone(), one_at_a_time);
    transfers
        .upload(dir.join("big"), path("big"))
        .wait()
        .await
        .unwrap();
    let resumed = std::iter::from_fn(|| events.try_recv().ok()).find_map(|e| match e.kind {
        EventKind::Resumed {
            parts_done,
            bytes_done,
        } => Some((parts_done, bytes_done)),
        _ => None,
    });
    assert_eq!(resumed, Some((2, 10 * MIB)));
    assert_eq!(
        backend
            .admin
            .get(&format!("{}/big", backend.identity_id))
            .await,
        data
    );
    assert!(state.unfinished_uploads().unwrap().is_empty());
    assert_eq!(backend.admin.unfinished_multipart_uploads().await, 0);
}

/// A 1 MiB tmpfs mounted for the test (the tests run as root, as in CI); unmounted on drop.
struct TinyDisk(std::path::PathBuf);

impl TinyDisk {
    fn mount(at: std::path::PathBuf) -> Self {
        std::fs::create_dir_all(&at).unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
            .arg(&at)
            .status()
            .expect("mount runs");
        assert!(status.success(), "mounting a tmpfs needs root");
        Self(at)
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_leaves_no_partial_file_and_keeps_the_old_one() {
    let backend = Backend::localcloud("full@example.com").await;
    let (transfers, _events) = backend.transfers(small_parts());
    let dir = backend.local_dir("full");
    write_file(&dir.join("big"), 3 * MIB as usize, 1);
    transfers
        .upload(dir.join("big"), path("big"))
        .wait()
        .await
        .unwrap();

    let disk = TinyDisk::mount(backend.dir.path().join("tiny"));
    std::fs::write(disk.0.join("big"), b"the old version").unwrap();
    let err = transfers
        .download(path("big"), disk.0.join("big"))
        .wait()
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::TransferLocalWrite);
    assert!(err.message.contains("disk is full"), "{}", err.message);
    assert_eq!(
        std::fs::read(disk.0.join("big")).unwrap(),
        b"the old version"
    );
    assert_eq!(
        std::fs::read_dir(&disk.0).unwrap().count(),
        1,
        "no temporary file left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_credentials_are_not_retried() {
    let backend = Backend::localcloud("creds@example.com").await;
    let wrong = Credentials::new("AKIDNOTREAL", "nope", Some("token".into()), None, "test");
    let storage = Storage::new(&backend.profile, &backend.identity_id, wrong).unwrap();
    let err = storage.stat(&path("f")).await.unwrap_err();
    assert!(
        matches!(
            err.code,
            ErrorCode::StorageCredentialsRejected | ErrorCode::StorageAccessDenied
        ),
        "{}: {}",
        err.code,
        err.message
    );
    // Another identity's folder is out of reach.
    let (other, _) = backend
        .cloud
        .identity_credentials("someone-else@example.com")
        .unwrap();
    let storage = Storage::new(&backend.profile, &other, backend.credentials.clone()).unwrap();
    let root = RemotePath::root();
    let err = futures::TryStreamExt::try_concat(storage.list(&root))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::StorageAccessDenied, "{}", err.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_comes_after_every_transfer_and_its_events() {
    let backend = Backend::localcloud("idle@example.com").await;
    let (transfers, mut events) = backend.transfers(small_parts());
    tokio::time::timeout(std::time::Duration::from_secs(1), transfers.idle())
        .await
        .expect("an empty queue is idle");
    // Slow uploads, so idle is asked for while they run; and a download that fails.
    backend
        .cloud
        .faults()
        .add(on_every("PutObject", FaultAction::Delay { millis: 200 }))
        .unwrap();
    let dir = backend.local_dir("idle");
    let mut handles = Vec::new();
    for i in 0..8 {
        write_file(&dir.join(format!("f{i}")), 1000, i);
        handles.push(transfers.upload(dir.join(format!("f{i}")), path(&format!("idle/f{i}"))));
    }
    handles.push(transfers.download(path("idle/missing"), dir.join("missing")));
    transfers.idle().await;

    let ends: Vec<EventKind> = std::iter::from_fn(|| events.try_recv().ok())
        .map(|e| e.kind)
        .filter(|k| matches!(k, EventKind::Finished { .. } | EventKind::Failed { .. }))
        .collect();
    assert_eq!(ends.len(), 9, "{ends:?}");
    let failed = ends
        .iter()
        .filter(|k| matches!(k, EventKind::Failed { .. }))
        .count();
    assert_eq!(failed, 1);
    let results = futures::future::join_all(handles.into_iter().map(|h| h.wait())).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 8);
}

/// Time limits short enough for a test: a second of silence ends an attempt.
fn short_timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(1),
        idle: Duration::from_secs(1),
        call: Duration::from_secs(3),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_ends_in_a_timeout() {
    let backend = Backend::localcloud("silent@example.com").await;
    for operation in ["HeadObject", "PutObject"] {
        backend
            .cloud
            .faults()
            .add(on_every(operation, FaultAction::Delay { millis: 600_000 }))
            .unwrap();
    }
    let storage = backend.storage_with(short_timeouts());
    let started = Instant::now();
    let err = tokio::time::timeout(Duration::from_secs(30), storage.stat(&path("f")))
        .await
        .expect("the request ends on its own")
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NetTimeout, "{}", err.message);
    assert!(
        err.message.contains("gave up after 3 attempts"),
        "{}",
        err.message
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    // An upload whose body the server takes in, and never answers.
    let (transfers, _events) =
        Transfers::new(storage, StateDb::in_memory().unwrap(), small_parts());
    let dir = backend.local_dir("silent");
    write_file(&dir.join("f"), 1000, 1);
    let err = tokio::time::timeout(
        Duration::from_secs(30),
        transfers.upload(dir.join("f"), path("f")).wait(),
    )
    .await
    .expect("the upload ends on its own")
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::NetTimeout, "{}", err.message);
}

/// A bare HTTP/1.1 server for one connection: reads a request, takes its body at
/// `read_rate` (64 KiB per tick), then sends `answer_head` and `answer_body` in pieces of
/// `piece` bytes, one per tick.
async fn slow_server(
    tick: Duration,
    answer_head: String,
    answer_body: Vec<u8>,
    piece: usize,
) -> (url::Url, tokio::task::JoinHandle<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(64 << 10).unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(4).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let served = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8(head).unwrap().to_ascii_lowercase();
        if head.contains("expect: 100-continue") {
            stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .await
                .unwrap();
        }
        let mut left: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        let mut buffer = vec![0u8; 64 << 10];
        while left > 0 {
            let want = left.min(buffer.len());
            let n = stream.read(&mut buffer[..want]).await.unwrap();
            assert!(n > 0, "the client hung up with {left} bytes to go");
            left -= n;
            tokio::time::sleep(tick).await;
        }
        stream.write_all(answer_head.as_bytes()).await.unwrap();
        for chunk in answer_body.chunks(piece) {
            tokio::time::sleep(tick).await;
            stream.write_all(chunk).await.unwrap();
        }
        head
    });
    (url.parse().unwrap(), served)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_transfers_that_keep_moving_are_not_cut_off() {
    let backend = Backend::localcloud("slow@example.com").await;
    // Two seconds of silence end an attempt: the system wakes a writer only when a third of
    // its send buffer (megabytes, on loopback) has gone, which takes most of a second here.
    let timeouts = Timeouts {
        idle: Duration::from_secs(2),
        ..short_timeouts()
    };
    let client_for = |url: url::Url| {
        let mut profile = backend.profile.clone();
        profile.endpoints.s3 = Some(url);
        SdkClient::with_timeouts(&profile, backend.credentials.clone(), &timeouts)
    };

    // 16 MiB taken at 64 KiB a tick: several seconds, more than twice the idle limit (and
    // more than the system's send buffer, which takes a part of it at once).
    let answer = "HTTP/1.1 200 OK\r\nETag: \"slow\"\r\nContent-Length: 0\r\n\r\n".to_owned();
    let (url, served) = slow_server(Duration::from_millis(20), answer, Vec::new(), 1).await;
    let started = Instant::now();
    let params = PutObjectParams {
        key: "slow/up".to_owned(),
        body: vec![7u8; 16 * MIB as usize].into(),
        ..PutObjectParams::default()
    };
    let put = client_for(url).put_object(&params).await.unwrap();
    assert_eq!(put.etag.as_deref(), Some("\"slow\""));
    assert!(served.await.unwrap().starts_with("put "));
    assert!(
        started.elapsed() > Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // An answer that comes 16 KiB at a time, far apart but within the idle limit.
    let body = vec![9u8; 160 << 10];
    let head = format!(
        "HTTP/1.1 200 OK\r\nETag: \"slow\"\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let (url, _served) =
        slow_server(Duration::from_millis(300), head, body.clone(), 16 << 10).await;
    let started = Instant::now();
    let params = GetObjectParams {
        key: "slow/down".to_owned(),
        ..GetObjectParams::default()
    };
    let got = client_for(url).get_object(&params).await.unwrap();
    let received = got
        .body
        .try_fold(Vec::new(), |mut all, chunk| async move {
            all.extend_from_slice(&chunk);
            Ok(all)
        })
        .await
        .unwrap();
    assert_eq!(received, body);
    assert!(
        started.elapsed() > Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// Overwrites `key` (a path in the person's folder) while a fault holds the copy back.
async fn overwrite_during(backend: &Backend, remote: &str, data: Vec<u8>) {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let dir = backend.local_dir("overwrite");
    std::fs::write(dir.join("new"), &data).unwrap();
    let (transfers, _events) = backend.transfers(small_parts());
    transfers
        .upload(dir.join("new"), path(remote))
        .wait()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_keeps_a_source_that_changed_before_it_was_copied() {
    let backend = Backend::localcloud("mover@example.com").await;
    let (transfers, _events) = backend.transfers(small_parts());
    let dir = backend.local_dir("move");
    write_file(&dir.join("small"), 1000, 1);
    write_file(&dir.join("large"), 11 * MIB as usize, 2);
    transfers
        .upload(dir.join("small"), path("small"))
        .wait()
        .await
        .unwrap();
    transfers
        .upload(dir.join("large"), path("large"))
        .wait()
        .await
        .unwrap();
    let faults = backend.cloud.faults();
    faults
        .add(fault(
            "CopyObject",
            Trigger::Nth { n: 1 },
            FaultAction::Delay { millis: 1500 },
        ))
        .unwrap();
    faults
        .add(fault(
            "UploadPartCopy",
            Trigger::Nth { n: 2 },
            FaultAction::Delay { millis: 1500 },
        ))
        .unwrap();
    let storage = backend
        .storage()
        .with_copy_limits(cubby_core::storage::CopyLimits {
            single_copy_max: 5 * MIB,
            part_size: 5 * MIB,
        });
    let id = &backend.identity_id;
    for (name, new) in [
        ("small", vec![7u8; 999]),
        ("large", vec![8u8; 11 * MIB as usize]),
    ] {
        let (from, to) = (path(name), path(&format!("{name}.moved")));
        let (moved, ()) = tokio::join!(
            storage.rename(&from, &to),
            overwrite_during(&backend, name, new.clone()),
        );
        let err = moved.unwrap_err();
        assert_eq!(
            err.code.as_str(),
            "storage.source_changed",
            "{name}: {}",
            err.message
        );
        assert_eq!(
            backend.admin.get(&format!("{id}/{name}")).await,
            new,
            "{name}"
        );
        assert!(
            !backend
                .admin
                .all_keys()
                .await
                .contains(&format!("{id}/{name}.moved")),
            "{name}: no copy of a mix of versions"
        );
    }
    assert_eq!(backend.admin.unfinished_multipart_uploads().await, 0);
}

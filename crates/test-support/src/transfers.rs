//! Transfer settings that make tests quick, test files whose bytes tell them apart, and
//! waiting for transfers.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cubby_core::storage::{RemotePath, RetryPolicy};
use cubby_core::transfer::{Links, TransferHandle, TransferOptions, Transfers};

/// One mebibyte, the unit of part sizes.
pub const MIB: u64 = 1 << 20;

/// Retries quick enough for tests that inject faults.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 6,
        max_timeouts: 3,
        first_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
    }
}

/// Small parts so multipart paths run with files of a few MiB.
pub fn small_parts() -> TransferOptions {
    TransferOptions {
        part_size: 5 * MIB,
        multipart_threshold: 6 * MIB,
        ..TransferOptions::default()
    }
}

/// Writes `len` bytes of a pattern that differs by `seed` (so swapped files are noticed),
/// creating the parent folders; the bytes.
pub fn write_file(path: &Path, len: usize, seed: u8) -> Vec<u8> {
    let data: Vec<u8> = (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, &data).unwrap();
    data
}

/// Uploads a local folder (recursively, symbolic links left out) to the top of the person's
/// folder; the bytes sent.
pub async fn upload_tree(transfers: &Transfers, dir: PathBuf) -> u64 {
    let queued = transfers
        .upload_paths(&[dir], &RemotePath::root(), Links::Skip)
        .await
        .unwrap();
    wait_all(queued.handles).await
}

/// Waits for every handle, panicking at the first failure; the bytes moved.
pub async fn wait_all(handles: Vec<TransferHandle>) -> u64 {
    let mut total = 0;
    for handle in handles {
        total += handle.wait().await.expect("transfer");
    }
    total
}

//! The seeded randomized simulation of folder sync (see cubby_test_support::sync_sim): a
//! thousand seeds over a bucket in memory, and a share on localcloud with injected faults.
//! A failing seed prints its steps; `CUBBY_SYNC_SEED=N` replays it alone.

use std::sync::Arc;

use cubby_core::storage::{FolderRoot, MemoryClient};
use cubby_localcloud::{FaultAction, FaultRule, Trigger};
use cubby_test_support::Backend;
use cubby_test_support::sync_sim::run_seed;
use futures::{StreamExt, stream};

/// Steps of edits and runs per seed.
const STEPS: usize = 12;

fn seeds(count: u64) -> Vec<u64> {
    match std::env::var("CUBBY_SYNC_SEED") {
        Ok(seed) => vec![seed.parse().expect("CUBBY_SYNC_SEED is a number")],
        Err(_) => (0..count).collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_seeds_in_memory() {
    let failures: Vec<String> = stream::iter(seeds(1000))
        .map(|seed| async move {
            let client = Arc::new(MemoryClient::new("bucket"));
            run_seed(seed, STEPS, client, FolderRoot::new("me/").unwrap()).await
        })
        .buffer_unordered(8)
        .filter_map(|result| async move { result.err() })
        .collect()
        .await;
    if let Some(failure) = failures.first() {
        panic!("{} seeds failed; the first:\n{failure}", failures.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeds_on_localcloud_with_faults() {
    let backend = Backend::localcloud("sim@example.com").await;
    let faults = backend.cloud.faults();
    for (operation, seed) in [
        ("PutObject", 1),
        ("GetObject", 2),
        ("CopyObject", 3),
        ("ListObjectsV2", 4),
    ] {
        faults
            .add(FaultRule::new(
                Some(operation),
                Trigger::Share {
                    fraction: 0.05,
                    seed,
                },
                FaultAction::Status { status: 503 },
            ))
            .unwrap();
    }
    let folder = FolderRoot::new(format!("{}/", backend.identity_id)).unwrap();
    for seed in seeds(10) {
        let client = backend.object_client();
        if let Err(failure) = run_seed(10_000 + seed, STEPS, client, folder.clone()).await {
            panic!("{failure}");
        }
    }
}

//! A pair's status as the tray and the notices see it, for their tests: the pair `id` syncs
//! `/home/me/FolderID` with the top of the folder.

use cubby_core::sync::{Mode, PairRecord, PairSpec, SyncPairStatus, SyncState};

pub fn sample_pair(id: i64, status: SyncState) -> SyncPairStatus {
    let record = PairRecord {
        id,
        spec: PairSpec {
            local: format!("/home/me/Folder{id}").into(),
            bucket: "b".into(),
            folder: "me/".into(),
            remote_dir: String::new(),
            mode: Mode::TwoWay,
        },
        last_run_ms: None,
        last_status: None,
        last_error: None,
        synced_paths: 0,
    };
    SyncPairStatus::new(&record, status)
}

//! Planning at scale, for bench/sync.sh: `fill DB N` records a synthetic merge base of N paths
//! (N/1000 folders of files) in a sync state database; `plan DB` then loads it and plans it
//! against two sides that match it but for a few changes, as a run after the scans does, and
//! prints one JSON line: `{"paths", "load_s", "plan_s", "actions", "peak_rss_mib"}` (the peak
//! is this process's, read from /proc: run `plan` as its own process to measure it alone).

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use cubby_core::sync::{
    BaseItem, ConflictStamp, Kind, LocalItem, Mode, NameRules, PairSpec, PlanOptions, RemoteItem,
    Snapshot, SyncDb, plan,
};

const FILES_PER_FOLDER: usize = 1000;
/// Every this many files is changed on one side, so the plan has work in it.
const CHANGED_EVERY: usize = 10_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1..).unwrap_or_default() {
        [verb, db] if verb == "plan" => plan_recorded(Path::new(db)),
        [verb, db, count] if verb == "fill" => {
            fill(
                Path::new(db),
                count.parse().expect("N is a number of paths"),
            );
        }
        _ => {
            eprintln!("usage: sync_plan_scale fill DB N | sync_plan_scale plan DB");
            std::process::exit(2);
        }
    }
}

fn spec() -> PairSpec {
    PairSpec {
        local: "/bench/local".into(),
        bucket: "bench".to_owned(),
        folder: "bench".to_owned(),
        remote_dir: "scale".to_owned(),
        mode: Mode::TwoWay,
    }
}

fn open(db: &Path) -> SyncDb {
    SyncDb::open(db).expect("the state database opens").0
}

fn fill(db: &Path, paths: usize) {
    let db = open(db);
    let pair = db.pair(&spec()).expect("the pair is recorded");
    let folders = paths.div_ceil(FILES_PER_FOLDER + 1);
    let mut written = 0;
    for folder in 0..folders {
        let name = format!("folder{folder:04}");
        let mut changes = vec![(name.clone(), Some(item(Kind::Folder, 0)))];
        written += 1;
        for file in 0..FILES_PER_FOLDER.min(paths - written) {
            changes.push((
                format!("{name}/file{file:04}.dat"),
                Some(item(Kind::File, written as u64)),
            ));
            written += 1;
        }
        db.update_base(pair.id, &changes)
            .expect("the base is recorded");
    }
    println!("{{\"paths\": {written}}}");
}

fn item(kind: Kind, seed: u64) -> BaseItem {
    BaseItem {
        kind,
        size: seed % 100_000,
        mtime_ns: 1_700_000_000_000_000_000 + seed as i64,
        inode: Some(seed + 1000),
        etag: Some(format!("\"{seed:032x}\"")),
        crc: Some(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
    }
}

fn plan_recorded(db: &Path) {
    let started = Instant::now();
    let db = open(db);
    let pair = db.pair(&spec()).expect("the pair is recorded");
    let base = db.base(pair.id).expect("the base loads");
    let load_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut snapshot = Snapshot::default();
    for (i, (path, item)) in base.iter().enumerate() {
        let mut local = LocalItem {
            kind: item.kind,
            size: item.size,
            mtime_ns: item.mtime_ns,
            inode: item.inode,
            crc: item.crc,
            on_disk: None,
        };
        if i % CHANGED_EVERY == 1 && item.kind == Kind::File {
            local.size += 1;
            local.mtime_ns += 1;
            local.crc = None;
        }
        snapshot.local.insert(path.clone(), local);
        snapshot.remote.insert(
            path.clone(),
            RemoteItem {
                kind: item.kind,
                size: item.size,
                mtime_ns: item.mtime_ns,
                etag: item.etag.clone(),
                crc: item.crc,
            },
        );
    }
    snapshot.base = base;
    let options = PlanOptions {
        mode: Mode::TwoWay,
        names: NameRules::for_this_system(false),
        stamp: ConflictStamp::now(),
    };
    let planned = plan(&snapshot, &BTreeSet::new(), &options);
    let plan_s = started.elapsed().as_secs_f64();
    println!(
        "{{\"paths\": {}, \"load_s\": {load_s:.2}, \"plan_s\": {plan_s:.2}, \"actions\": {}, \"peak_rss_mib\": {}}}",
        snapshot.base.len(),
        planned.actions.len(),
        peak_rss_mib()
    );
}

/// This process's peak resident memory (VmHWM), in MiB.
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024)
}

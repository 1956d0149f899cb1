//! The change matrix, cell by cell and mode by mode, and generated cases checked against a
//! model of both folders: nothing written is lost, two-way converges, a first sync deletes
//! nothing.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;

/// One side's (or the base's) view of a path in a test: nothing, a file of content `v`, or a
/// folder. Content `v` has size, time, inode, checksum `v` and ETag `e{v}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum S {
    No,
    F(u8),
    D,
}

fn local_item(state: S) -> Option<LocalItem> {
    let (kind, v) = match state {
        S::No => return None,
        S::F(v) => (Kind::File, v),
        S::D => (Kind::Folder, 0),
    };
    Some(LocalItem {
        kind,
        size: v.into(),
        mtime_ns: v.into(),
        inode: Some(1000 + u64::from(v)),
        crc: (kind == Kind::File).then_some(v.into()),
        on_disk: None,
    })
}

fn remote_item(state: S) -> Option<RemoteItem> {
    let (kind, v) = match state {
        S::No => return None,
        S::F(v) => (Kind::File, v),
        S::D => (Kind::Folder, 0),
    };
    Some(RemoteItem {
        kind,
        size: v.into(),
        mtime_ns: v.into(),
        etag: (kind == Kind::File).then(|| format!("e{v}")),
        crc: (kind == Kind::File).then_some(v.into()),
    })
}

fn base_item(state: S) -> Option<BaseItem> {
    let (local, remote) = (local_item(state)?, remote_item(state)?);
    Some(BaseItem::synced(&local, &remote))
}

fn options(mode: Mode) -> PlanOptions {
    PlanOptions {
        mode,
        names: NameRules {
            windows: false,
            folds_case: false,
        },
        stamp: ConflictStamp::new(
            time::OffsetDateTime::from_unix_timestamp(1_795_770_303).unwrap(),
            "host",
        ),
    }
}

fn snapshot_of(paths: &[(&str, S, S, S)]) -> Snapshot {
    let mut snapshot = Snapshot::default();
    for (path, base, local, remote) in paths {
        let path = path.to_string();
        if let Some(item) = base_item(*base) {
            snapshot.base.insert(path.clone(), item);
        }
        if let Some(item) = local_item(*local) {
            snapshot.local.insert(path.clone(), item);
        }
        if let Some(item) = remote_item(*remote) {
            snapshot.remote.insert(path, item);
        }
    }
    snapshot
}

fn plan_one(mode: Mode, base: S, local: S, remote: S) -> Vec<Action> {
    let snapshot = snapshot_of(&[("p.txt", base, local, remote)]);
    plan(&snapshot, &BTreeSet::new(), &options(mode)).actions
}

const COPY: &str = "p (conflict 2026-11-27 090503 host).txt";

fn up() -> Action {
    Action::Upload {
        path: "p.txt".into(),
    }
}
fn down() -> Action {
    Action::Download {
        path: "p.txt".into(),
    }
}
fn mk_local() -> Action {
    Action::CreateLocalFolder {
        path: "p.txt".into(),
    }
}
fn mk_remote() -> Action {
    Action::CreateRemoteFolder {
        path: "p.txt".into(),
    }
}
fn del_local(kind: Kind) -> Action {
    Action::DeleteLocal {
        path: "p.txt".into(),
        kind,
    }
}
fn del_remote(kind: Kind) -> Action {
    Action::DeleteRemote {
        path: "p.txt".into(),
        kind,
    }
}
fn record() -> Action {
    Action::Record {
        path: "p.txt".into(),
    }
}
fn forget() -> Action {
    Action::Forget {
        path: "p.txt".into(),
    }
}
fn conflict(loser: Side, copy_to_both: bool) -> Action {
    Action::Conflict {
        path: "p.txt".into(),
        loser,
        copy: COPY.into(),
        copy_to_both,
    }
}

use Kind::{File, Folder};
use S::{D, F, No};

/// (base, local, remote) -> two-way's actions: every cell of the change matrix.
fn two_way_matrix() -> Vec<((S, S, S), Vec<Action>)> {
    vec![
        // Nothing in the base: new on either side, or on both.
        ((No, No, F(2)), vec![down()]),
        ((No, F(2), No), vec![up()]),
        ((No, No, D), vec![mk_local()]),
        ((No, D, No), vec![mk_remote()]),
        ((No, F(2), F(2)), vec![record()]),
        ((No, F(2), F(3)), vec![conflict(Side::Local, true)]),
        ((No, F(3), F(2)), vec![conflict(Side::Remote, true)]),
        ((No, D, D), vec![record()]),
        ((No, D, F(2)), vec![conflict(Side::Remote, true)]),
        ((No, F(2), D), vec![conflict(Side::Local, true)]),
        // A synced file.
        ((F(1), F(1), F(1)), vec![]),
        ((F(1), F(1), F(2)), vec![down()]),
        ((F(1), F(2), F(1)), vec![up()]),
        ((F(1), F(2), F(2)), vec![record()]),
        ((F(1), F(2), F(3)), vec![conflict(Side::Local, true)]),
        ((F(1), F(3), F(2)), vec![conflict(Side::Remote, true)]),
        ((F(1), F(2), No), vec![up()]),
        ((F(1), No, F(2)), vec![down()]),
        ((F(1), No, No), vec![forget()]),
        ((F(1), F(1), No), vec![del_local(File)]),
        ((F(1), No, F(1)), vec![del_remote(File)]),
        ((F(1), D, F(1)), vec![del_remote(File), mk_remote()]),
        ((F(1), F(1), D), vec![del_local(File), mk_local()]),
        ((F(1), D, D), vec![record()]),
        ((F(1), D, F(2)), vec![conflict(Side::Remote, true)]),
        ((F(1), F(2), D), vec![conflict(Side::Local, true)]),
        ((F(1), D, No), vec![mk_remote()]),
        ((F(1), No, D), vec![mk_local()]),
        // A synced folder.
        ((D, D, D), vec![]),
        ((D, No, D), vec![del_remote(Folder)]),
        ((D, D, No), vec![del_local(Folder)]),
        ((D, No, No), vec![forget()]),
        ((D, F(2), D), vec![del_remote(Folder), up()]),
        ((D, D, F(2)), vec![del_local(Folder), down()]),
        ((D, F(2), F(2)), vec![record()]),
        ((D, F(2), F(3)), vec![conflict(Side::Local, true)]),
        ((D, F(2), No), vec![up()]),
        ((D, No, F(2)), vec![down()]),
    ]
}

#[test]
fn two_way_every_cell_of_the_change_matrix() {
    for ((base, local, remote), expected) in two_way_matrix() {
        assert_eq!(
            plan_one(Mode::TwoWay, base, local, remote),
            expected,
            "base {base:?}, local {local:?}, remote {remote:?}"
        );
    }
}

#[test]
fn mirror_and_backup_cells() {
    let left = |mode: Mode, base, local, remote| {
        let snapshot = snapshot_of(&[("p.txt", base, local, remote)]);
        let plan = plan(&snapshot, &BTreeSet::new(), &options(mode));
        assert_eq!(
            plan.actions,
            vec![],
            "{mode:?} {base:?} {local:?} {remote:?}"
        );
        assert_eq!(plan.left.len(), 1, "{mode:?} {base:?} {local:?} {remote:?}");
    };
    for mode in [Mode::Backup, Mode::Mirror] {
        let deletes = mode == Mode::Mirror;
        let cells: Vec<((S, S, S), Vec<Action>)> = vec![
            ((No, F(2), No), vec![up()]),
            ((No, D, No), vec![mk_remote()]),
            ((No, F(2), F(2)), vec![record()]),
            ((No, F(2), F(3)), vec![conflict(Side::Remote, false)]),
            ((No, F(2), D), vec![up()]),
            ((F(1), F(1), F(1)), vec![]),
            ((F(1), F(2), F(1)), vec![up()]),
            ((F(1), F(2), F(3)), vec![conflict(Side::Remote, false)]),
            ((F(1), F(2), No), vec![up()]),
            ((F(1), F(1), No), vec![up()]),
            ((F(1), No, No), vec![forget()]),
            (
                (F(1), No, F(1)),
                if deletes {
                    vec![del_remote(File)]
                } else {
                    vec![]
                },
            ),
            (
                (F(1), D, F(1)),
                if deletes {
                    vec![del_remote(File), mk_remote()]
                } else {
                    vec![mk_remote()]
                },
            ),
            (
                (D, No, D),
                if deletes {
                    vec![del_remote(Folder)]
                } else {
                    vec![]
                },
            ),
        ];
        for ((base, local, remote), expected) in cells {
            assert_eq!(
                plan_one(mode, base, local, remote),
                expected,
                "{mode:?}: base {base:?}, local {local:?}, remote {remote:?}"
            );
        }
        // Remote changes stay where they are, reported.
        left(mode, No, No, F(2));
        left(mode, F(1), F(1), F(2));
        left(mode, F(1), No, F(2));
        left(mode, No, No, D);
    }
}

#[test]
fn conflict_copies_never_take_a_used_name() {
    let snapshot = snapshot_of(&[("p.txt", S::No, F(2), F(3)), (COPY, S::No, F(4), S::No)]);
    let actions = plan(&snapshot, &BTreeSet::new(), &options(Mode::TwoWay)).actions;
    assert!(actions.contains(&Action::Conflict {
        path: "p.txt".into(),
        loser: Side::Local,
        copy: "p (conflict 2026-11-27 090503 host 2).txt".into(),
        copy_to_both: true,
    }));
}

#[test]
fn unknown_checksums_are_never_taken_as_equal() {
    let mut snapshot = snapshot_of(&[("p.txt", S::No, F(2), F(2))]);
    snapshot.remote.get_mut("p.txt").unwrap().crc = None;
    let actions = plan(&snapshot, &BTreeSet::new(), &options(Mode::TwoWay)).actions;
    assert_eq!(actions, vec![conflict(Side::Local, true)]);
}

#[test]
fn a_touched_file_with_the_same_content_is_recorded_not_sent() {
    let mut snapshot = snapshot_of(&[("p.txt", F(1), F(1), F(1))]);
    snapshot.local.get_mut("p.txt").unwrap().mtime_ns = 99;
    let actions = plan(&snapshot, &BTreeSet::new(), &options(Mode::TwoWay)).actions;
    assert_eq!(actions, vec![record()]);
}

#[test]
fn another_file_moved_over_a_synced_one_is_sent_even_with_its_size_and_time() {
    // The disk keeps times to a few milliseconds: two writes in one tick look alike.
    let mut snapshot = snapshot_of(&[("p.txt", F(1), F(1), F(1))]);
    let moved_over = snapshot.local.get_mut("p.txt").unwrap();
    moved_over.inode = Some(7);
    moved_over.crc = Some(2);
    let actions = plan(&snapshot, &BTreeSet::new(), &options(Mode::TwoWay)).actions;
    assert_eq!(actions, vec![up()]);
}

#[test]
fn renames_become_remote_moves_by_inode_or_by_facts() {
    // Same inode (content unchanged).
    let snapshot = snapshot_of(&[("old.txt", F(1), No, F(1)), ("new.txt", No, F(1), No)]);
    for (mode, keep_source) in [
        (Mode::TwoWay, false),
        (Mode::Mirror, false),
        (Mode::Backup, true),
    ] {
        let plan = plan(&snapshot, &BTreeSet::new(), &options(mode));
        assert_eq!(
            plan.actions,
            vec![Action::MoveRemote {
                from: "old.txt".into(),
                to: "new.txt".into(),
                keep_source
            }],
            "{mode:?}"
        );
        assert_eq!(plan.file_deletions(), 0);
    }
    // Another inode (a copy to another disk and back), same size, time and checksum.
    let mut snapshot = snapshot.clone();
    snapshot.local.get_mut("new.txt").unwrap().inode = Some(7);
    let actions = plan(&snapshot, &BTreeSet::new(), &options(Mode::TwoWay)).actions;
    assert!(
        matches!(&actions[..], [Action::MoveRemote { .. }]),
        "{actions:?}"
    );
    // Same inode but edited: an upload and a deletion.
    let mut edited = snapshot_of(&[("old.txt", F(1), No, F(1)), ("new.txt", No, F(2), No)]);
    edited.local.get_mut("new.txt").unwrap().inode = Some(1001);
    let actions = plan(&edited, &BTreeSet::new(), &options(Mode::TwoWay)).actions;
    assert_eq!(
        actions,
        vec![
            Action::Upload {
                path: "new.txt".into()
            },
            Action::DeleteRemote {
                path: "old.txt".into(),
                kind: File
            },
        ]
    );
    // The old remote copy changed meanwhile: no move; it comes back down.
    let changed = snapshot_of(&[("old.txt", F(1), No, F(3)), ("new.txt", No, F(1), No)]);
    let actions = plan(&changed, &BTreeSet::new(), &options(Mode::TwoWay)).actions;
    assert_eq!(
        actions,
        vec![
            Action::Upload {
                path: "new.txt".into()
            },
            Action::Download {
                path: "old.txt".into()
            },
        ]
    );
}

#[test]
fn a_renamed_folder_moves_each_file() {
    let snapshot = snapshot_of(&[
        ("a", D, No, D),
        ("a/x", F(1), No, F(1)),
        ("a/y", F(2), No, F(2)),
        ("b", No, D, No),
        ("b/x", No, F(1), No),
        ("b/y", No, F(2), No),
    ]);
    let plan = plan(&snapshot, &BTreeSet::new(), &options(Mode::TwoWay));
    assert_eq!(plan.file_deletions(), 0);
    assert!(
        !plan
            .actions
            .iter()
            .any(|a| matches!(a, Action::Upload { .. }))
    );
    let moves = plan
        .actions
        .iter()
        .filter(|a| matches!(a, Action::MoveRemote { .. }))
        .count();
    assert_eq!(moves, 2, "{:?}", plan.actions);
}

#[test]
fn names_this_disk_cannot_hold_are_issues() {
    let windows = PlanOptions {
        names: NameRules {
            windows: true,
            folds_case: true,
        },
        ..options(Mode::TwoWay)
    };
    let snapshot = snapshot_of(&[
        ("CON.txt", No, No, F(1)),
        ("bad:dir", No, No, D),
        ("bad:dir/x", No, No, F(1)),
        ("Read.me", No, F(2), F(2)),
        ("read.ME", No, No, F(3)),
        ("new/A", No, No, F(1)),
        ("new/a", No, No, F(2)),
        ("fine.txt", No, No, F(1)),
    ]);
    let plan = plan(&snapshot, &BTreeSet::new(), &windows);
    let issues: Vec<&str> = plan.issues.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(
        issues,
        ["CON.txt", "bad:dir", "bad:dir/x", "new/a", "read.ME"]
    );
    assert!(
        plan.issues[3].problem.contains("new/A"),
        "{:?}",
        plan.issues[3]
    );
    let downloads: Vec<&str> = plan.actions.iter().map(Action::path).collect();
    assert_eq!(downloads, ["Read.me", "fine.txt", "new/A"]);
    // A case-sensitive disk holds both.
    let plan = super::plan(
        &snapshot,
        &BTreeSet::new(),
        &PlanOptions {
            names: NameRules {
                windows: true,
                folds_case: false,
            },
            ..options(Mode::TwoWay)
        },
    );
    assert_eq!(plan.issues.len(), 3, "{:?}", plan.issues);
}

#[test]
fn blocked_paths_and_what_is_below_them_are_left_alone() {
    let snapshot = snapshot_of(&[
        ("link", No, No, D),
        ("link/x", No, No, F(1)),
        ("linked", No, No, F(1)),
    ]);
    let blocked = BTreeSet::from(["link".to_owned()]);
    let actions = plan(&snapshot, &blocked, &options(Mode::TwoWay)).actions;
    assert_eq!(
        actions,
        vec![Action::Download {
            path: "linked".into()
        }]
    );
}

// ---- Generated cases, checked against a model of both folders ----

const PATHS: [&str; 4] = ["a", "b", "c/d", "c/e"];

fn side_state() -> impl Strategy<Value = S> {
    prop_oneof![Just(S::No), (1u8..5).prop_map(S::F)]
}

fn snapshots() -> impl Strategy<Value = Snapshot> {
    proptest::collection::vec((side_state(), side_state(), side_state()), PATHS.len()).prop_map(
        |states| {
            let rows: Vec<_> = PATHS
                .iter()
                .zip(states)
                .map(|(path, (base, local, remote))| (*path, base, local, remote))
                .collect();
            snapshot_of(&rows)
        },
    )
}

/// Both folders as path -> content, and what went to the trash.
#[derive(Debug, Default, Clone)]
struct Model {
    local: BTreeMap<String, u64>,
    remote: BTreeMap<String, u64>,
    trash: Vec<u64>,
}

fn model_of(snapshot: &Snapshot) -> Model {
    Model {
        local: snapshot
            .local
            .iter()
            .map(|(p, i)| (p.clone(), i.crc.unwrap()))
            .collect(),
        remote: snapshot
            .remote
            .iter()
            .map(|(p, i)| (p.clone(), i.crc.unwrap()))
            .collect(),
        trash: Vec::new(),
    }
}

/// Runs `actions` on the model as the executor would on the folders.
fn apply(model: &mut Model, actions: &[Action], snapshot: &Snapshot) {
    for action in actions {
        match action.clone() {
            Action::Upload { path } => {
                let v = model.local[&path];
                model.remote.insert(path, v);
            }
            Action::Download { path } => {
                let v = model.remote[&path];
                model.local.insert(path, v);
            }
            Action::DeleteLocal { path, .. } => {
                let v = model.local.remove(&path).unwrap();
                model.trash.push(v);
            }
            Action::DeleteRemote { path, .. } => {
                // Only what the other side deleted after it was synced goes for good.
                let v = model.remote.remove(&path).unwrap();
                assert_eq!(
                    snapshot.base[&path].crc,
                    Some(v),
                    "{path}: unsynced remote deleted"
                );
                assert!(
                    !snapshot.local.contains_key(&path),
                    "{path}: deleted while local"
                );
            }
            Action::MoveRemote {
                from,
                to,
                keep_source,
            } => {
                let v = model.remote[&from];
                model.remote.insert(to, v);
                if !keep_source {
                    model.remote.remove(&from);
                }
            }
            Action::Conflict {
                path,
                loser,
                copy,
                copy_to_both,
            } => match loser {
                Side::Local => {
                    let mine = model.local[&path];
                    model.local.insert(copy.clone(), mine);
                    model.local.insert(path.clone(), model.remote[&path]);
                    if copy_to_both {
                        model.remote.insert(copy, mine);
                    }
                }
                Side::Remote => {
                    let theirs = model.remote.remove(&path).unwrap();
                    model.remote.insert(copy.clone(), theirs);
                    if copy_to_both {
                        model.local.insert(copy, theirs);
                    }
                    model.remote.insert(path.clone(), model.local[&path]);
                }
            },
            Action::CreateLocalFolder { .. }
            | Action::CreateRemoteFolder { .. }
            | Action::Record { .. }
            | Action::Forget { .. } => {}
        }
    }
}

fn run_case(snapshot: &Snapshot, mode: Mode) -> (Model, Model, Plan) {
    let plan = plan(snapshot, &BTreeSet::new(), &options(mode));
    let before = model_of(snapshot);
    let mut after = before.clone();
    apply(&mut after, &plan.actions, snapshot);
    (before, after, plan)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn nothing_written_is_lost(snapshot in snapshots(), mode_index in 0usize..3) {
        let mode = [Mode::TwoWay, Mode::Mirror, Mode::Backup][mode_index];
        let (before, after, _) = run_case(&snapshot, mode);
        let kept: BTreeSet<u64> = after.local.values().chain(after.remote.values())
            .chain(&after.trash).copied().collect();
        // The synced version may be replaced by the other side's edit; any other is kept.
        let synced = |path: &String, v: &u64| {
            snapshot.base.get(path).is_some_and(|b| b.crc == Some(*v))
        };
        for (path, v) in &before.local {
            prop_assert!(kept.contains(v) || synced(path, v), "local {path} = {v} lost");
        }
        for (path, v) in &before.remote {
            prop_assert!(kept.contains(v) || synced(path, v), "remote {path} = {v} lost");
        }
    }

    #[test]
    fn two_way_converges_in_one_run(snapshot in snapshots()) {
        let (_, after, plan) = run_case(&snapshot, Mode::TwoWay);
        prop_assert!(plan.issues.is_empty());
        prop_assert_eq!(&after.local, &after.remote, "{:?}", plan.actions);
    }

    #[test]
    fn one_way_modes_leave_the_local_folder_alone_and_copy_it(
        snapshot in snapshots(), mirror in any::<bool>()
    ) {
        let mode = if mirror { Mode::Mirror } else { Mode::Backup };
        let (before, after, plan) = run_case(&snapshot, mode);
        prop_assert_eq!(&before.local, &after.local);
        let left: BTreeSet<&str> = plan.left.iter().map(|l| l.path.as_str()).collect();
        for (path, v) in &after.local {
            if !left.contains(path.as_str()) {
                prop_assert_eq!(after.remote.get(path), Some(v), "{}", path);
            }
        }
    }

    #[test]
    fn a_first_sync_deletes_nothing(mut snapshot in snapshots(), mode_index in 0usize..3) {
        snapshot.base.clear();
        let mode = [Mode::TwoWay, Mode::Mirror, Mode::Backup][mode_index];
        let (before, after, plan) = run_case(&snapshot, mode);
        prop_assert_eq!(plan.file_deletions(), 0);
        for path in before.local.keys() {
            prop_assert!(after.local.contains_key(path));
        }
        for path in before.remote.keys() {
            prop_assert!(after.remote.contains_key(path));
        }
    }

    #[test]
    fn nothing_changed_plans_nothing(snapshot in snapshots()) {
        let mut synced = Snapshot::default();
        for (path, item) in &snapshot.local {
            let remote = remote_item(S::F(item.crc.unwrap() as u8)).unwrap();
            synced.base.insert(path.clone(), BaseItem::synced(item, &remote));
            synced.remote.insert(path.clone(), remote);
            synced.local.insert(path.clone(), item.clone());
        }
        for mode in [Mode::TwoWay, Mode::Mirror, Mode::Backup] {
            let plan = plan(&synced, &BTreeSet::new(), &options(mode));
            prop_assert!(plan.actions.is_empty(), "{:?}", plan.actions);
        }
    }
}

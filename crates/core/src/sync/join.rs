//! Joining the two sides' changes of one path into actions, per mode: the change matrix.
//!
//! Nothing a person wrote is lost in any cell: a deletion loses to an edit, two different
//! edits make a conflict copy, and a deletion only ever follows a deletion on the other side
//! of a path both sides held in step.

use super::action::{Action, Left};
use super::change::{Change, local_change, remote_change, same_content};
use super::model::{BaseItem, Kind, LocalItem, Mode, RemoteItem, Side};

/// One path's three views.
pub(super) struct PathState<'a> {
    pub(super) path: &'a str,
    pub(super) local: Option<&'a LocalItem>,
    pub(super) remote: Option<&'a RemoteItem>,
    pub(super) base: Option<&'a BaseItem>,
}

/// What joining one path produced.
#[derive(Default)]
pub(super) struct Joined {
    pub(super) actions: Vec<Action>,
    pub(super) left: Option<Left>,
}

/// The actions for one path under `mode`; `copy_name` names a conflict copy when one is made.
pub(super) fn join(
    state: &PathState<'_>,
    mode: Mode,
    copy_name: &mut dyn FnMut(&str) -> String,
) -> Joined {
    let local = local_change(state.local, state.base);
    let remote = remote_change(state.remote, state.base);
    let mut joined = Joined::default();
    match mode {
        Mode::TwoWay => two_way(state, local, remote, copy_name, &mut joined),
        Mode::Backup | Mode::Mirror => one_way(state, mode, local, remote, copy_name, &mut joined),
    }
    joined
}

fn two_way(
    state: &PathState<'_>,
    local: Change,
    remote: Change,
    copy_name: &mut dyn FnMut(&str) -> String,
    out: &mut Joined,
) {
    use Change::*;
    // Most paths are unchanged: the path is copied only into an action.
    let path = || state.path.to_owned();
    match (local, remote) {
        (Deleted, Deleted | Absent) | (Absent, Deleted) => {
            out.actions.push(Action::Forget { path: path() });
        }
        (l, r) if l.is_edit() && r.is_edit() => both_edited(state, Mode::TwoWay, copy_name, out),
        (l, _) if l.is_edit() => push(state, true, out),
        (_, r) if r.is_edit() => pull(state, out),
        (Deleted, Unchanged) => out.actions.push(Action::DeleteRemote {
            path: path(),
            kind: state.remote.expect("unchanged remote").kind,
        }),
        (Unchanged, Deleted) => out.actions.push(Action::DeleteLocal {
            path: path(),
            kind: state.local.expect("unchanged local").kind,
        }),
        _ => {}
    }
}

fn one_way(
    state: &PathState<'_>,
    mode: Mode,
    local: Change,
    remote: Change,
    copy_name: &mut dyn FnMut(&str) -> String,
    out: &mut Joined,
) {
    use Change::*;
    // Most paths are unchanged: the path is copied only into an action.
    let path = || state.path.to_owned();
    let deletes_remotely = mode == Mode::Mirror;
    match (local, remote) {
        (Deleted, Deleted | Absent) | (Absent, Deleted) => {
            out.actions.push(Action::Forget { path: path() });
        }
        (l, r) if l.is_edit() && r.is_edit() => both_edited(state, mode, copy_name, out),
        (l, _) if l.is_edit() => push(state, deletes_remotely, out),
        // A remote copy deleted behind a backup's back is put back.
        (Unchanged, Deleted) => push(state, deletes_remotely, out),
        (Deleted, Unchanged) if deletes_remotely => out.actions.push(Action::DeleteRemote {
            path: path(),
            kind: state.remote.expect("unchanged remote").kind,
        }),
        (_, r) if r.is_edit() => {
            out.left = Some(Left {
                path: path(),
                reason: format!(
                    "changed in the remote folder; a {} does not bring remote changes to this computer",
                    mode.as_str()
                ),
            });
        }
        _ => {}
    }
}

/// The local version goes to the remote side. A remote item of the other kind is deleted
/// first when `may_delete` (it is the base's, unchanged); otherwise both kinds coexist there.
fn push(state: &PathState<'_>, may_delete: bool, out: &mut Joined) {
    let local = state.local.expect("a local edit");
    let path = state.path.to_owned();
    if let Some(remote) = state.remote {
        if same_content(local, remote) {
            out.actions.push(Action::Record { path });
            return;
        }
        if remote.kind != local.kind && may_delete {
            out.actions.push(Action::DeleteRemote {
                path: path.clone(),
                kind: remote.kind,
            });
        }
    }
    out.actions.push(match local.kind {
        Kind::File => Action::Upload { path },
        Kind::Folder => Action::CreateRemoteFolder { path },
    });
}

/// The remote version comes to the local side; a local item of the other kind (the base's,
/// unchanged) goes first.
fn pull(state: &PathState<'_>, out: &mut Joined) {
    let remote = state.remote.expect("a remote edit");
    let path = state.path.to_owned();
    if let Some(local) = state.local {
        if same_content(local, remote) {
            out.actions.push(Action::Record { path });
            return;
        }
        if local.kind != remote.kind {
            out.actions.push(Action::DeleteLocal {
                path: path.clone(),
                kind: local.kind,
            });
        }
    }
    out.actions.push(match remote.kind {
        Kind::File => Action::Download { path },
        Kind::Folder => Action::CreateLocalFolder { path },
    });
}

/// Both sides hold something new: the same is recorded; otherwise a conflict keeps both.
fn both_edited(
    state: &PathState<'_>,
    mode: Mode,
    copy_name: &mut dyn FnMut(&str) -> String,
    out: &mut Joined,
) {
    let local = state.local.expect("a local edit");
    let remote = state.remote.expect("a remote edit");
    let path = state.path.to_owned();
    if same_content(local, remote) {
        out.actions.push(Action::Record { path });
        return;
    }
    let loser = match (mode, local.kind, remote.kind) {
        // One-way: the local version wins; a remote folder can stay beside a local file.
        (Mode::Backup | Mode::Mirror, Kind::File, Kind::Folder) => {
            out.actions.push(Action::Upload { path });
            return;
        }
        (Mode::Backup | Mode::Mirror, _, _) => Side::Remote,
        // A folder never moves aside for a file: its contents stay where they are.
        (Mode::TwoWay, Kind::Folder, _) => Side::Remote,
        (Mode::TwoWay, _, Kind::Folder) => Side::Local,
        // Two files: the older edit is the copy; on a tie, the local one.
        (Mode::TwoWay, _, _) if remote.mtime_ns < local.mtime_ns => Side::Remote,
        (Mode::TwoWay, _, _) => Side::Local,
    };
    out.actions.push(Action::Conflict {
        copy: copy_name(&path),
        path,
        loser,
        copy_to_both: mode == Mode::TwoWay,
    });
}

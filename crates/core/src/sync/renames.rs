//! Local renames and moves, recognized so they are done remotely by server-side copy instead of
//! sending the bytes again: a new local file that is a base file gone from its old place (same
//! inode, or same size, time and checksum), whose remote copy is still the synced one.

use std::collections::{BTreeSet, HashMap};

use super::action::Action;
use super::change::{Change, local_change, remote_change};
use super::model::{Kind, Mode, Snapshot};

/// Replaces each recognized rename's upload (and deletion of the old remote file) by a move.
pub(super) fn detect(actions: &mut Vec<Action>, snapshot: &Snapshot, mode: Mode) {
    // Old places: base files gone locally whose remote copy is the synced one.
    let mut by_inode: HashMap<u64, &str> = HashMap::new();
    let mut by_facts: HashMap<(u64, i64, u64), &str> = HashMap::new();
    for (path, base) in &snapshot.base {
        let gone = local_change(snapshot.local.get(path), Some(base)) == Change::Deleted;
        let remote_synced =
            remote_change(snapshot.remote.get(path), Some(base)) == Change::Unchanged;
        if base.kind != Kind::File || !gone || !remote_synced {
            continue;
        }
        if let Some(inode) = base.inode {
            by_inode.insert(inode, path);
        }
        if let Some(crc) = base.crc {
            by_facts.insert((base.size, base.mtime_ns, crc), path);
        }
    }
    if by_inode.is_empty() && by_facts.is_empty() {
        return;
    }
    let mut moved_from = BTreeSet::new();
    let mut moves = Vec::new();
    for action in actions.iter() {
        let Action::Upload { path } = action else {
            continue;
        };
        let local = &snapshot.local[path];
        if snapshot.base.contains_key(path) || snapshot.remote.contains_key(path) {
            continue;
        }
        let same_inode = local
            .inode
            .and_then(|inode| by_inode.get(&inode))
            .filter(|from| {
                let base = &snapshot.base[**from];
                base.size == local.size && base.mtime_ns == local.mtime_ns
            });
        let same_facts = local
            .crc
            .and_then(|crc| by_facts.get(&(local.size, local.mtime_ns, crc)));
        if let Some(from) = same_inode.or(same_facts)
            && moved_from.insert(from.to_string())
        {
            moves.push((from.to_string(), path.clone()));
        }
    }
    if moves.is_empty() {
        return;
    }
    let moved_to: BTreeSet<&str> = moves.iter().map(|(_, to)| to.as_str()).collect();
    actions.retain(|action| match action {
        Action::Upload { path } => !moved_to.contains(path.as_str()),
        Action::DeleteRemote { path, .. } => !moved_from.contains(path),
        _ => true,
    });
    actions.extend(moves.into_iter().map(|(from, to)| Action::MoveRemote {
        from,
        to,
        keep_source: mode == Mode::Backup,
    }));
}

//! The planner: a pure function of (local scan, remote scan, merge base) to actions. It joins
//! each path's two changes ([`super::join`]), turns local renames into remote moves
//! ([`super::renames`]), and refuses to create local names the disk cannot hold (reported as
//! issues, never skipped in silence). The deletion guard is applied by the caller, which knows
//! whether the person allowed more.

use std::collections::{BTreeMap, BTreeSet, btree_map};
use std::iter::Peekable;

use super::action::{Action, Issue, Plan};
use super::conflict_name::ConflictStamp;
use super::join::{PathState, join};
use super::model::{Mode, Side, Snapshot};
use super::names::NameRules;
use super::renames;

/// What the planner needs besides the three trees.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// How the pair syncs.
    pub mode: Mode,
    /// What names the local disk can hold.
    pub names: NameRules,
    /// When and where conflict copies are made.
    pub stamp: ConflictStamp,
}

/// The plan for `snapshot`. Paths in `blocked` (and everything below them) have issues of
/// their own from the scans and are left untouched.
pub fn plan(snapshot: &Snapshot, blocked: &BTreeSet<String>, options: &PlanOptions) -> Plan {
    let mut copies: BTreeSet<String> = BTreeSet::new();
    let mut copy_name = |path: &str| {
        let copy = options.stamp.path_for(path, |candidate| {
            copies.contains(candidate)
                || snapshot.local.contains_key(candidate)
                || snapshot.remote.contains_key(candidate)
                || snapshot.base.contains_key(candidate)
        });
        copies.insert(copy.clone());
        copy
    };
    let mut plan = Plan::default();
    for state in path_states(snapshot) {
        if is_below_any(state.path, blocked) {
            continue;
        }
        let joined = join(&state, options.mode, &mut copy_name);
        plan.actions.extend(joined.actions);
        plan.left.extend(joined.left);
    }
    renames::detect(&mut plan.actions, snapshot, options.mode);
    refuse_unholdable_names(&mut plan, snapshot, options.names);
    plan
}

/// Every path of the three trees once, in order, with what each tree holds there: one pass
/// along the three (sorted) trees side by side.
fn path_states(snapshot: &Snapshot) -> impl Iterator<Item = PathState<'_>> {
    let mut local = snapshot.local.iter().peekable();
    let mut remote = snapshot.remote.iter().peekable();
    let mut base = snapshot.base.iter().peekable();
    std::iter::from_fn(move || {
        let path = [
            local.peek().map(|(path, _)| *path),
            remote.peek().map(|(path, _)| *path),
            base.peek().map(|(path, _)| *path),
        ]
        .into_iter()
        .flatten()
        .min()?;
        Some(PathState {
            path,
            local: next_at(&mut local, path),
            remote: next_at(&mut remote, path),
            base: next_at(&mut base, path),
        })
    })
}

/// The next item of `tree` when it is at `path`.
fn next_at<'a, T>(
    tree: &mut Peekable<btree_map::Iter<'a, String, T>>,
    path: &str,
) -> Option<&'a T> {
    tree.next_if(|(at, _)| at.as_str() == path)
        .map(|(_, item)| item)
}

/// Whether `path` or a folder above it is in `set`.
pub(super) fn is_below_any(path: &str, set: &BTreeSet<String>) -> bool {
    if set.is_empty() {
        return false;
    }
    let mut prefix = path;
    loop {
        if set.contains(prefix) {
            return true;
        }
        match prefix.rfind('/') {
            Some(slash) => prefix = &prefix[..slash],
            None => return false,
        }
    }
}

/// Turns each action that would make a local name the disk cannot hold (a reserved name, or a
/// name that folds onto another one there) into an issue, with everything below it.
fn refuse_unholdable_names(plan: &mut Plan, snapshot: &Snapshot, names: NameRules) {
    // Most runs make no new local name; they need no folded copy of every local path.
    if plan
        .actions
        .iter()
        .all(|action| new_local_names(action, snapshot).is_empty())
    {
        return;
    }
    let deleted_locally: BTreeSet<&str> = plan
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::DeleteLocal { path, .. } => Some(path.as_str()),
            _ => None,
        })
        .collect();
    // Folded name -> the exact path holding it locally once the plan ran.
    let mut held: BTreeMap<String, String> = snapshot
        .local
        .keys()
        .filter(|path| !deleted_locally.contains(path.as_str()))
        .map(|path| (names.folded(path), path.clone()))
        .collect();
    let mut refused: BTreeSet<String> = BTreeSet::new();
    let mut kept = Vec::with_capacity(plan.actions.len());
    for action in std::mem::take(&mut plan.actions) {
        let new_local_names = new_local_names(&action, snapshot);
        let problem = new_local_names.iter().find_map(|name| {
            if is_below_any(name, &refused) {
                return Some("a folder above it cannot be made on this computer".to_owned());
            }
            if let Some(problem) = names.problem(name) {
                return Some(format!("{problem}; rename it in the remote folder"));
            }
            match held.get(&names.folded(name)) {
                Some(other) if other != name => Some(format!(
                    "this disk takes it and {other:?} as one name; rename one of them"
                )),
                _ => None,
            }
        });
        match problem {
            Some(problem) => {
                let path = action.path().to_owned();
                refused.insert(path.clone());
                plan.issues.push(Issue {
                    path,
                    side: Side::Remote,
                    problem: format!("cannot be synced to this computer: {problem}"),
                });
            }
            None => {
                for name in new_local_names {
                    held.insert(names.folded(name), name.to_owned());
                }
                kept.push(action);
            }
        }
    }
    plan.actions = kept;
}

/// The local names `action` makes that the local side does not hold yet.
fn new_local_names<'a>(action: &'a Action, snapshot: &Snapshot) -> Vec<&'a str> {
    match action {
        Action::Download { path } | Action::CreateLocalFolder { path }
            if !snapshot.local.contains_key(path) =>
        {
            vec![path]
        }
        Action::Conflict {
            path,
            loser,
            copy,
            copy_to_both,
        } => match (loser, copy_to_both) {
            (Side::Remote, true) => vec![copy, path],
            _ => vec![path],
        },
        _ => Vec::new(),
    }
}

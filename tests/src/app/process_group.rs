//! A process started as the leader of its own process group, so that everything it starts (the
//! native WebDriver, the app, the app's browser, a second launch of the app) ends with it.

use std::path::Path;
use std::process::{Child, Command};

use rustix::process::{Pid, Signal, kill_process_group};

/// The group of a spawned leader; dropping it kills the whole group and reaps the leader.
pub struct ProcessGroup {
    leader: Child,
}

impl ProcessGroup {
    /// Spawns `command` as the leader of a new process group.
    pub fn spawn(mut command: Command) -> std::io::Result<Self> {
        use std::os::unix::process::CommandExt;
        let leader = command.process_group(0).spawn()?;
        Ok(Self { leader })
    }

    /// The group id (the leader's pid), for joining more processes to the group.
    pub fn id(&self) -> i32 {
        i32::try_from(self.leader.id()).expect("pids fit in i32")
    }

    /// Whether the leader is still running; its exit status otherwise.
    pub fn leader_exit(&mut self) -> Option<std::process::ExitStatus> {
        self.leader.try_wait().ok().flatten()
    }

    /// The pids in this group whose executable is `exe`.
    pub fn members_running(&self, exe: &Path) -> Vec<i32> {
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| group_of(*pid) == Some(self.id()))
            .filter(|pid| {
                std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|path| path == exe)
            })
            .collect()
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        if let Some(group) = Pid::from_raw(self.id()) {
            // The group may be gone already; there is nothing else to end then.
            let _ = kill_process_group(group, Signal::KILL);
        }
        let _ = self.leader.wait();
    }
}

/// The process group of `pid` from `/proc/PID/stat`, or `None` when it has exited (or is a
/// zombie, which no longer runs anything).
fn group_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "PID (COMM) STATE PPID PGRP ...": COMM may hold spaces and parentheses, so split after
    // its last ')'.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?;
    if state == "Z" {
        return None;
    }
    fields.nth(1)?.parse().ok()
}

//! The app's memory through the whole run: every [`PERIOD`], the resident set (RSS, and PSS,
//! which shares each shared page out among its users) of every `cubby-desktop` process this
//! bench started (through tauri-driver) and all its descendants (WebKitWebProcess,
//! WebKitNetworkProcess, their bubblewrap and D-Bus proxies), read from /proc. Apps this bench
//! did not start (another desktop session's on a shared machine) are not this app.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the processes are read.
pub const PERIOD: Duration = Duration::from_millis(100);
/// The app's process name (`/proc/PID/comm`).
const APP: &str = "cubby-desktop";

/// The largest sum of PSS seen, and when; and the largest sum of RSS.
///
/// PSS is the memory the app's processes use together: a page they share (the WebKit and GTK
/// libraries the app and its web process both map, say) counts once, split among its users.
/// A sum of RSS counts such a page once per process that maps it.
#[derive(Debug, Clone, Default)]
pub struct Peak {
    /// Sum of Pss, in KiB.
    pub pss_kib: u64,
    /// The phase of the run it happened in.
    pub phase: String,
    /// Each process at that moment: name and PSS in KiB.
    pub processes: Vec<(String, u64)>,
    /// The largest sum of VmRSS seen at any moment, in KiB.
    pub rss_kib: u64,
}

/// A thread sampling the app's memory until [`Sampler::stop`].
pub struct Sampler {
    stop: Arc<AtomicBool>,
    paused: Arc<AtomicBool>,
    phase: Arc<Mutex<String>>,
    thread: JoinHandle<Peak>,
}

impl Sampler {
    /// Starts sampling; the phase is "start" until [`Sampler::phase`] names another.
    pub fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let paused = Arc::new(AtomicBool::new(false));
        let phase = Arc::new(Mutex::new("start".to_owned()));
        let thread = std::thread::spawn({
            let (stop, paused, phase) = (stop.clone(), paused.clone(), phase.clone());
            move || {
                let mut peak = Peak::default();
                while !stop.load(Ordering::Relaxed) {
                    if paused.load(Ordering::Relaxed) {
                        std::thread::sleep(PERIOD);
                        continue;
                    }
                    let processes = app_processes();
                    let rss_kib = processes.iter().map(|p| p.rss_kib).sum();
                    let pss_kib = processes.iter().map(|p| p.pss_kib).sum();
                    peak.rss_kib = peak.rss_kib.max(rss_kib);
                    if pss_kib > peak.pss_kib {
                        peak.pss_kib = pss_kib;
                        peak.phase = phase.lock().expect("the phase lock").clone();
                        peak.processes =
                            processes.into_iter().map(|p| (p.name, p.pss_kib)).collect();
                    }
                    std::thread::sleep(PERIOD);
                }
                peak
            }
        });
        Self {
            stop,
            paused,
            phase,
            thread,
        }
    }

    /// Stops reading until [`Sampler::resume`]: while a time is taken that the reading (every
    /// process under /proc, and the app's memory maps, every period) would lengthen.
    pub fn pause(&self) {
        self.paused.store(true, Ordering::Relaxed);
    }

    /// Reads again, from the next period.
    pub fn resume(&self) {
        self.paused.store(false, Ordering::Relaxed);
    }

    /// Names what the run does from now on, for the peak's report.
    pub fn phase(&self, name: &str) {
        *self.phase.lock().expect("the phase lock") = name.to_owned();
    }

    /// Stops sampling and returns the peak.
    pub fn stop(self) -> Peak {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .join()
            .expect("the sampler thread does not panic")
    }
}

/// The process id of the app this bench started last, if one runs.
pub fn app_pid() -> Option<u32> {
    let all = all_processes();
    let ancestry = Ancestry::of(&all);
    let bench = std::process::id();
    all.iter()
        .filter(|p| p.name == APP && ancestry.descends(p.pid, |pid| pid == bench))
        .max_by(|a, b| started_after_boot(a.pid).total_cmp(&started_after_boot(b.pid)))
        .map(|p| p.pid)
}

/// When process `pid` started: seconds since boot (CLOCK_BOOTTIME, as /proc/uptime counts);
/// 0 when it is gone.
pub fn started_after_boot(pid: u32) -> f64 {
    /// USER_HZ, the unit of /proc/PID/stat's times: 100 on every Linux ABI.
    const TICKS_PER_SECOND: f64 = 100.0;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the name, which is in parentheses and may hold spaces; starttime is the
    // 22nd field, the 20th after the name.
    let ticks: Option<f64> = stat
        .rfind(')')
        .and_then(|end| stat.get(end + 2..)?.split(' ').nth(19)?.parse().ok());
    ticks.unwrap_or(0.0) / TICKS_PER_SECOND
}

/// Seconds since boot now (/proc/uptime, to the hundredth).
pub fn uptime() -> f64 {
    std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|text| text.split(' ').next()?.parse().ok())
        .expect("/proc/uptime is readable")
}

struct Process {
    pid: u32,
    parent: u32,
    name: String,
    rss_kib: u64,
    pss_kib: u64,
}

/// Who started whom, among the processes read.
struct Ancestry(HashMap<u32, u32>);

impl Ancestry {
    fn of(all: &[Process]) -> Self {
        Self(all.iter().map(|p| (p.pid, p.parent)).collect())
    }

    /// Whether `pid`, or a process it descends from, is one `is_root` picks.
    fn descends(&self, mut pid: u32, is_root: impl Fn(u32) -> bool) -> bool {
        for _ in 0..64 {
            if is_root(pid) {
                return true;
            }
            match self.0.get(&pid) {
                Some(&parent) if parent > 1 => pid = parent,
                _ => return false,
            }
        }
        false
    }
}

/// The processes of the apps this bench started, and their descendants.
fn app_processes() -> Vec<Process> {
    let all = all_processes();
    let ancestry = Ancestry::of(&all);
    let bench = std::process::id();
    let roots: Vec<u32> = all
        .iter()
        .filter(|p| p.name == APP && ancestry.descends(p.pid, |pid| pid == bench))
        .map(|p| p.pid)
        .collect();
    all.into_iter()
        .filter(|p| ancestry.descends(p.pid, |pid| roots.contains(&pid)))
        .map(|mut p| {
            p.rss_kib = status_kib(p.pid, "VmRSS:");
            p.pss_kib = rollup_kib(p.pid, "Pss:");
            p
        })
        .collect()
}

/// Every process's id, parent and name (memory not read yet).
fn all_processes() -> Vec<Process> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|entry| {
        let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let name = stat[stat.find('(')? + 1..stat.rfind(')')?].to_owned();
        let parent = stat[stat.rfind(')')? + 2..]
            .split(' ')
            .nth(1)?
            .parse()
            .ok()?;
        Some(Process {
            pid,
            parent,
            name,
            rss_kib: 0,
            pss_kib: 0,
        })
    })
    .collect()
}

fn status_kib(pid: u32, field: &str) -> u64 {
    kib_field(&format!("/proc/{pid}/status"), field)
}

fn rollup_kib(pid: u32, field: &str) -> u64 {
    kib_field(&format!("/proc/{pid}/smaps_rollup"), field)
}

/// The `NAME:   1234 kB` line `field` of the file at `path`, in KiB; 0 when the process is gone.
fn kib_field(path: &str, field: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix(field))
                .and_then(|value| value.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

//! The seeded randomized simulation of folder sync (in the manner of Dropbox's CanopyCheck):
//! random edits on both sides of a pair interleaved with sync runs, some of them crashed at a
//! random point, then the invariants: every version a person wrote and nobody replaced exists
//! somewhere (at its place, as a conflict copy, or in the trash); once edits stop both sides
//! converge; a first run deletes nothing. Half the runs after local edits look only at the
//! folders edited, as a watcher's runs do. Any bucket behind [`ObjectClient`] will do: one in
//! memory for thousands of seeds, localcloud (with its faults) for a share of them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cubby_core::storage::{
    DeleteObjectsParams, FolderRoot, GetObjectParams, ListObjectsParams, ObjectClient,
    PutObjectParams, RemotePath, Storage,
};
use cubby_core::sync::{
    DeletionLimit, Mode, NameRules, RunReport, Scope, SyncDb, SyncOptions, SyncPair, Trash,
};
use cubby_core::transfer::{StateDb, TransferOptions, Transfers};
use futures::TryStreamExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The names edits touch: few, so that edits collide.
const NAMES: [&str; 5] = ["a.txt", "b.txt", "d/c.txt", "d/e.txt", "f"];

/// One seed's world: the two folders and what people wrote into them.
struct World {
    rng: StdRng,
    seed: u64,
    client: Arc<dyn ObjectClient>,
    folder: FolderRoot,
    remote_dir: RemotePath,
    root: PathBuf,
    trash: PathBuf,
    locks: PathBuf,
    db: SyncDb,
    next_version: u64,
    /// Every version people wrote.
    written: BTreeSet<String>,
    /// Versions a person replaced or deleted on the side they were on: those may go.
    replaced: BTreeSet<String>,
    /// Versions both sides held at one path after a run: the other side's edits may replace
    /// them.
    synced: BTreeSet<String>,
    log: Vec<String>,
    /// Local paths changed since the last run, as a watcher would report them; `None` after a
    /// crash, when the next start runs over everything.
    touched: Option<Vec<PathBuf>>,
}

/// Runs seed `seed` for `steps` steps over `client`'s bucket below `folder`; the error names
/// what broke and the steps that led there.
pub async fn run_seed(
    seed: u64,
    steps: usize,
    client: Arc<dyn ObjectClient>,
    folder: FolderRoot,
) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root = dir.path().join("local");
    std::fs::create_dir(&root).map_err(|e| e.to_string())?;
    let mut world = World {
        rng: StdRng::seed_from_u64(seed),
        seed,
        client,
        folder,
        remote_dir: RemotePath::parse(&format!("sim{seed}")).expect("a clean name"),
        root,
        trash: dir.path().join("trash"),
        locks: dir.path().join("locks"),
        db: SyncDb::in_memory().map_err(|e| e.message)?,
        next_version: 0,
        written: BTreeSet::new(),
        replaced: BTreeSet::new(),
        synced: BTreeSet::new(),
        log: Vec::new(),
        touched: Some(Vec::new()),
    };
    world.run(steps).await.map_err(|err| {
        format!(
            "seed {seed}: {err}\nsteps:\n  {}\nreplay: CUBBY_SYNC_SEED={seed}",
            world.log.join("\n  ")
        )
    })
}

impl World {
    async fn run(&mut self, steps: usize) -> Result<(), String> {
        // Both sides may start full.
        for _ in 0..self.rng.gen_range(0..4) {
            self.edit_local()?;
        }
        for _ in 0..self.rng.gen_range(0..4) {
            self.edit_remote().await?;
        }
        // A watch starts with a full run.
        self.touched = None;
        let first = self.sync(false).await?;
        if first.plan.file_deletions() != 0 || !first.first_run {
            return Err(format!("the first run deleted: {:?}", first.plan.actions));
        }
        self.mark_synced().await?;
        for _ in 0..steps {
            match self.rng.gen_range(0..10) {
                0..=2 => self.edit_local()?,
                3..=5 => self.edit_remote().await?,
                6 => self.rename_local()?,
                7 => {
                    self.sync(true).await?;
                }
                _ => {
                    self.sync(false).await?;
                    self.mark_synced().await?;
                }
            }
        }
        self.converge().await?;
        self.check_kept().await
    }

    fn version(&mut self) -> String {
        self.next_version += 1;
        let version = format!("seed {} version {}", self.seed, self.next_version);
        self.written.insert(version.clone());
        version
    }

    fn local_file(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    fn edit_local(&mut self) -> Result<(), String> {
        let name = NAMES[self.rng.gen_range(0..NAMES.len())];
        let file = self.local_file(name);
        self.touch(&file);
        if let Ok(old) = std::fs::read_to_string(&file) {
            self.replaced.insert(old);
        }
        if file.exists() && self.rng.gen_bool(0.3) {
            self.log.push(format!("local delete {name}"));
            return std::fs::remove_file(&file).map_err(|e| e.to_string());
        }
        let version = self.version();
        self.log.push(format!("local write {name}: {version}"));
        std::fs::create_dir_all(file.parent().expect("below the root"))
            .map_err(|e| e.to_string())?;
        std::fs::write(&file, version).map_err(|e| e.to_string())
    }

    fn rename_local(&mut self) -> Result<(), String> {
        let from = NAMES[self.rng.gen_range(0..NAMES.len())];
        let to = NAMES[self.rng.gen_range(0..NAMES.len())];
        if from == to || !self.local_file(from).exists() || self.local_file(to).exists() {
            return Ok(());
        }
        self.log.push(format!("local rename {from} -> {to}"));
        let target = self.local_file(to);
        self.touch(&self.local_file(from));
        self.touch(&target);
        std::fs::create_dir_all(target.parent().expect("below the root"))
            .map_err(|e| e.to_string())?;
        std::fs::rename(self.local_file(from), target).map_err(|e| e.to_string())
    }

    fn touch(&mut self, path: &Path) {
        if let Some(touched) = &mut self.touched {
            touched.push(path.to_owned());
        }
    }

    /// What the next run looks at: half the time, as a watcher's run would, the folders
    /// changed locally since the last one; otherwise, and after a crash, everything.
    fn next_scope(&mut self) -> Scope {
        let touched = self.touched.replace(Vec::new());
        match touched {
            Some(paths) if !paths.is_empty() && self.rng.gen_bool(0.5) => {
                Scope::of_changes(&self.root, paths.iter().map(PathBuf::as_path))
            }
            _ => Scope::Everything,
        }
    }

    fn key(&self, name: &str) -> String {
        let path = self.remote_dir.join(name).expect("a clean name");
        self.folder.object_key(&path).expect("a key")
    }

    async fn edit_remote(&mut self) -> Result<(), String> {
        let name = NAMES[self.rng.gen_range(0..NAMES.len())];
        let key = self.key(name);
        let old = self.remote_content(&key).await?;
        if let Some(old) = &old {
            self.replaced.insert(old.clone());
        }
        if old.is_some() && self.rng.gen_bool(0.3) {
            self.log.push(format!("remote delete {name}"));
            let params = DeleteObjectsParams { keys: vec![key] };
            return persist(|| self.client.delete_objects(&params))
                .await
                .map(|_| ());
        }
        let version = self.version();
        self.log.push(format!("remote write {name}: {version}"));
        let params = PutObjectParams {
            key,
            body: Bytes::from(version),
            ..PutObjectParams::default()
        };
        persist(|| self.client.put_object(&params))
            .await
            .map(|_| ())
    }

    async fn remote_content(&self, key: &str) -> Result<Option<String>, String> {
        let params = GetObjectParams {
            key: key.to_owned(),
            ..GetObjectParams::default()
        };
        let got = persist(|| async {
            match self.client.get_object(&params).await {
                Ok(got) => {
                    let body: Vec<Bytes> = got.body.try_collect().await?;
                    Ok(Some(String::from_utf8_lossy(&body.concat()).into_owned()))
                }
                Err(err) if err.code == cubby_core::ErrorCode::StorageNotFound => Ok(None),
                Err(err) => Err(err),
            }
        })
        .await?;
        Ok(got)
    }

    async fn remote_files(&self) -> Result<BTreeMap<String, String>, String> {
        let prefix = self
            .folder
            .dir_prefix(&self.remote_dir)
            .map_err(|e| e.message)?;
        let mut files = BTreeMap::new();
        let mut token = None;
        loop {
            let params = ListObjectsParams {
                prefix: prefix.clone(),
                continuation_token: token,
                ..ListObjectsParams::default()
            };
            let page = persist(|| self.client.list_objects(&params)).await?;
            for object in page.objects {
                if object.key.ends_with('/') {
                    continue;
                }
                if let Some(content) = self.remote_content(&object.key).await? {
                    files.insert(object.key[prefix.len()..].to_owned(), content);
                }
            }
            match page.next_continuation_token {
                Some(next) => token = Some(next),
                None => return Ok(files),
            }
        }
    }

    fn local_files(&self) -> BTreeMap<String, String> {
        files_below(&self.root)
    }

    /// One run; `crash` drops it after a random number of polls, as a killed process would
    /// stop, once the transfers it had started are over.
    async fn sync(&mut self, crash: bool) -> Result<RunReport, String> {
        let storage = Storage::with_client(self.client.clone(), self.folder.clone())
            .with_retry(crate::transfers::fast_retry());
        let (transfers, _events) = Transfers::new(
            storage,
            StateDb::in_memory().map_err(|e| e.message)?,
            TransferOptions {
                record_queue: false,
                ..TransferOptions::default()
            },
        );
        let options = SyncOptions {
            mode: Mode::TwoWay,
            deletion_limit: DeletionLimit::AtMost(usize::MAX),
            dry_run: false,
            stable_for: Duration::ZERO,
            trash: Trash::Folder(self.trash.clone()),
            names: Some(NameRules {
                windows: false,
                folds_case: false,
            }),
        };
        let (pair, _events) = SyncPair::open(
            &self.root,
            self.remote_dir.clone(),
            transfers.clone(),
            self.db.clone(),
            options,
            &self.locks,
            "the simulation",
        )
        .map_err(|e| e.message)?;
        let scope = self.next_scope();
        if crash {
            let polls = self.rng.gen_range(1..40);
            self.log
                .push(format!("sync {scope:?}, crashed after {polls} polls"));
            self.touched = None;
            let mut run = Box::pin(pair.run_within(&scope));
            for _ in 0..polls {
                if futures::poll!(run.as_mut()).is_ready() {
                    break;
                }
                tokio::task::yield_now().await;
            }
            drop(run);
            transfers.idle().await;
            return Ok(RunReport {
                plan: Default::default(),
                summary: Default::default(),
                first_run: false,
                scope,
            });
        }
        self.log.push(format!("sync {scope:?}"));
        let report = pair.run_within(&scope).await;
        // A run may fail as a whole (an injected fault on a listing); the next one goes on.
        Ok(report.unwrap_or_else(|err| {
            self.log.push(format!("  the run failed: {}", err.message));
            RunReport {
                plan: Default::default(),
                summary: Default::default(),
                first_run: false,
                scope: Scope::Everything,
            }
        }))
    }

    async fn mark_synced(&mut self) -> Result<(), String> {
        let local = self.local_files();
        for (path, content) in self.remote_files().await? {
            if local.get(&path) == Some(&content) {
                self.synced.insert(content);
            }
        }
        Ok(())
    }

    /// Runs until a run has nothing to do; both sides must then hold the same files.
    async fn converge(&mut self) -> Result<(), String> {
        for _ in 0..6 {
            let report = self.sync(false).await?;
            let quiet = report.summary.failed == 0
                && report.plan.actions.iter().all(|a| !a.changes_anything())
                && report.plan.issues.is_empty();
            if quiet && self.local_files() == self.remote_files().await? {
                self.mark_synced().await?;
                return Ok(());
            }
        }
        Err(format!(
            "the sides did not converge:\n  local {:?}\n  remote {:?}",
            self.local_files(),
            self.remote_files().await?
        ))
    }

    /// Every version nobody replaced is at its place, a conflict copy, or in the trash.
    async fn check_kept(&self) -> Result<(), String> {
        let mut kept: BTreeSet<String> = self.local_files().into_values().collect();
        kept.extend(self.remote_files().await?.into_values());
        kept.extend(files_below(&self.trash).into_values());
        for version in &self.written {
            if !kept.contains(version)
                && !self.replaced.contains(version)
                && !self.synced.contains(version)
            {
                return Err(format!("{version:?} was lost"));
            }
        }
        Ok(())
    }
}

/// `request`, tried until the faults let it through (the simulation's own reads and writes
/// are a person's, not the engine's, and must not fail the seed).
async fn persist<T, F, Fut>(mut request: F) -> Result<T, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = cubby_core::Result<T>>,
{
    let mut last = String::new();
    for _ in 0..50 {
        match request().await {
            Ok(value) => return Ok(value),
            Err(err) => last = err.message,
        }
    }
    Err(format!("a request kept failing: {last}"))
}

fn files_below(root: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(content) = std::fs::read_to_string(&path) {
                let relative = path
                    .strip_prefix(root)
                    .expect("below the root")
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(relative, content);
            }
        }
    }
    files
}

//! Helpers shared by the end-to-end tests in this crate's `tests/` folder.

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use cubby_localcloud::{LocalCloud, LocalCloudConfig};
use tempfile::TempDir;
use tokio::process::Command;

pub const ALICE: (&str, &str) = ("alice@example.com", "alice password 1");
pub const BOB: (&str, &str) = ("bob@example.com", "bob password 2");

/// The `cubby` binary of this build, beside the test executable's `deps/` folder. Cargo does not
/// build another package's binary for a test: run `cargo build -p cubby-cli` first.
pub fn cubby_binary() -> PathBuf {
    let cubby = build_dir().join(format!("cubby{}", std::env::consts::EXE_SUFFIX));
    assert!(
        cubby.is_file(),
        "{} is missing: run `cargo build -p cubby-cli` before these tests",
        cubby.display()
    );
    cubby
}

/// This package's `test-browser`, the stand-in for the person's browser (`$BROWSER`).
pub fn test_browser() -> PathBuf {
    build_dir().join(format!("test-browser{}", std::env::consts::EXE_SUFFIX))
}

fn build_dir() -> PathBuf {
    let test_exe = std::env::current_exe().expect("the test knows its own path");
    test_exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test executables live in target/PROFILE/deps")
        .to_owned()
}

/// A localcloud with Alice and Bob, and a cubby config file with its profile `local`.
pub struct Setup {
    pub cloud: LocalCloud,
    pub dir: TempDir,
    pub config: PathBuf,
}

impl Setup {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// [`Setup::start`] with the localcloud's config changed by `configure` first.
    pub async fn start_with(configure: impl FnOnce(&mut LocalCloudConfig)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = LocalCloudConfig::new(dir.path().join("cloud"));
        config.callbacks_on_free_ports(2).unwrap();
        config.users = vec![
            (ALICE.0.into(), ALICE.1.into()),
            (BOB.0.into(), BOB.1.into()),
        ];
        configure(&mut config);
        let cloud = LocalCloud::start(config).await.unwrap();
        let config = dir.path().join("cubby.toml");
        std::fs::write(&config, cloud.profile().to_toml("local")).unwrap();
        Self { cloud, dir, config }
    }

    /// `cubby --config FILE --profile local ARGS...`
    pub fn cubby(&self, args: &[&str]) -> Command {
        let mut command = Command::new(cubby_binary());
        command
            .arg("--config")
            .arg(&self.config)
            .args(["--profile", "local"])
            .args(args)
            .env_remove("CUBBY_PROFILE")
            .env_remove("CUBBY_CONFIG")
            .kill_on_drop(true);
        command
    }

    /// `cubby login` as `user` through the test browser; the output, checked.
    pub async fn login(&self, user: (&str, &str)) -> Output {
        let browser_log = self.browser_log();
        let login =
            run(&mut self.with_browser(self.cubby(&["login", "--timeout", "60"]), user)).await;
        assert!(
            login.status.success(),
            "login failed: {} / browser: {}",
            stderr_of(&login),
            std::fs::read_to_string(&browser_log).unwrap_or_default()
        );
        login
    }

    /// `command` with the test browser as `$BROWSER`, signing in as `user` and reporting to
    /// [`Setup::browser_log`].
    pub fn with_browser(&self, mut command: Command, user: (&str, &str)) -> Command {
        command
            .env("BROWSER", test_browser())
            .env("CUBBY_TEST_EMAIL", user.0)
            .env("CUBBY_TEST_PASSWORD", user.1)
            .env("CUBBY_TEST_BROWSER_LOG", self.browser_log());
        command
    }

    /// Where the test browser reports; it exists once the browser was opened.
    pub fn browser_log(&self) -> PathBuf {
        self.dir.path().join("browser.log")
    }
}

/// `command` as if no OS keyring were running: its D-Bus session bus does not exist.
pub fn without_keyring(command: &mut Command) -> &mut Command {
    command.env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/cubby-test-bus",
    )
}

pub fn require_secret_service() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "this test uses the real OS keyring: run it inside `dbus-run-session` with gnome-keyring unlocked (see the file's doc comment)"
    );
}

pub fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `command` to its end, at most two minutes.
pub async fn run(command: &mut Command) -> Output {
    tokio::time::timeout(Duration::from_secs(120), command.output())
        .await
        .expect("the command finished in time")
        .unwrap()
}

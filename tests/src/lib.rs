//! Helpers shared by the end-to-end tests in this crate's `tests/` folder: the binaries of
//! this build, run against a [`TestCloud`] with a config file of their own, and the desktop app
//! driven through WebDriver ([`app`]).

#[cfg(target_os = "linux")]
pub mod app;

use std::path::PathBuf;
use std::process::{ExitStatus, Output, Stdio};
use std::time::Duration;

use cubby_localcloud::{LocalCloud, LocalCloudConfig};
use cubby_test_support::{Person, TestCloud};
use tempfile::TempDir;
use tokio::process::Command;

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

/// `target/PROFILE`, where cargo puts the binaries: beside a binary of this package, or one up
/// from a test executable in `target/PROFILE/deps`.
fn build_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the process knows its own path");
    let dir = exe.parent().expect("an executable lives in a directory");
    if dir.ends_with("deps") {
        dir.parent()
            .expect("target/PROFILE/deps has a parent")
            .to_owned()
    } else {
        dir.to_owned()
    }
}

/// A [`TestCloud`] (with Alice and Bob), and a cubby config file with its profile `local`.
pub struct Setup {
    /// The server the profile reaches.
    pub cloud: LocalCloud,
    /// The test's temporary directory, holding the config file.
    pub dir: TempDir,
    /// The config file.
    pub config: PathBuf,
}

impl Setup {
    /// Starts the cloud and writes the config file.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// [`Setup::start`] with the localcloud's config changed by `configure` first.
    pub async fn start_with(configure: impl FnOnce(&mut LocalCloudConfig)) -> Self {
        let TestCloud {
            cloud,
            profile,
            dir,
            ..
        } = TestCloud::start_with(configure).await;
        let config = dir.path().join("cubby.toml");
        std::fs::write(&config, profile.to_toml("local")).unwrap();
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

    /// `cubby login` as `person` through the test browser; the output, checked.
    pub async fn login(&self, person: Person) -> Output {
        let browser_log = self.browser_log();
        let login =
            run(&mut self.with_browser(self.cubby(&["login", "--timeout", "60"]), person)).await;
        assert!(
            login.status.success(),
            "login failed: {} / browser: {}",
            stderr_of(&login),
            std::fs::read_to_string(&browser_log).unwrap_or_default()
        );
        login
    }

    /// `command` with the test browser as `$BROWSER`, signing in as `person` and reporting to
    /// [`Setup::browser_log`].
    pub fn with_browser(&self, mut command: Command, person: Person) -> Command {
        command
            .env("BROWSER", test_browser())
            .env("CUBBY_TEST_EMAIL", person.email)
            .env("CUBBY_TEST_PASSWORD", person.password)
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

/// What a command wrote to stderr, as text.
pub fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// What a command that must have succeeded wrote to stdout, as text.
pub fn stdout_of(output: &Output) -> String {
    assert!(output.status.success(), "{}", stderr_of(output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `command` to its end, at most two minutes.
pub async fn run(command: &mut Command) -> Output {
    tokio::time::timeout(Duration::from_secs(120), command.output())
        .await
        .expect("the command finished in time")
        .unwrap()
}

/// Runs `login`, a `cubby login --no-browser`, as a person without a browser on that machine
/// does: opens the address it prints elsewhere (the robot signs in as `email`), pastes back the
/// address the browser ended on, and waits for it to end (two minutes at most).
pub async fn login_by_pasting(login: &mut Command, email: &str, password: &str) -> ExitStatus {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    let mut login = login
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("cubby login starts");
    let mut stderr = BufReader::new(login.stderr.take().unwrap()).lines();
    let authorize = tokio::time::timeout(Duration::from_secs(120), async {
        loop {
            let line = stderr.next_line().await.unwrap().expect("the sign-in URL");
            if let Ok(url) = url::Url::parse(line.trim())
                && url.path().ends_with("/oauth2/authorize")
            {
                return url;
            }
        }
    })
    .await
    .expect("cubby printed the sign-in URL");
    let callback = cubby_localcloud::robot::sign_in(&authorize, email, password)
        .await
        .unwrap();
    let mut stdin = login.stdin.take().unwrap();
    stdin
        .write_all(format!("{callback}\n").as_bytes())
        .await
        .unwrap();
    drop(stdin);
    tokio::time::timeout(Duration::from_secs(120), login.wait())
        .await
        .expect("cubby login ended in time")
        .unwrap()
}

//! One running app under WebDriver, and what a test does with it: wait for a screen, click,
//! read, take a screenshot, restart, finish a sign-in in the browser.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::driver::TauriDriver;
use super::env::AppEnv;
use super::prerequisites::Tools;
use super::screenshot::Screenshot;
use super::wait::{self, Probe};
use crate::test_browser;

/// How long the app gets from launch to a loaded page (a debug build, software rendering).
const LAUNCH: Duration = Duration::from_secs(60);
/// How long the page gets to show what a test waits for (sign-in through the sandbox included).
const UI: Duration = Duration::from_secs(45);
/// How long one WebDriver command may take (WebKitWebDriver can leave one unanswered).
const COMMAND: Duration = Duration::from_secs(30);
/// How long a process gets to end once asked to (the app at restart, the browser).
const EXIT: Duration = Duration::from_secs(20);
/// How many lines of the app's log a failure shows.
const LOG_LINES: usize = 80;

/// One app at a time: each is a whole WebKit process tree, and they would share the keyring.
static TURN: LazyLock<Arc<Mutex<()>>> = LazyLock::new(Arc::default);

/// The running app, driven through WebDriver. Dropping it kills the app, its drivers and
/// everything they started.
pub struct AppDriver {
    // Fields drop in order: the session, then the processes, then the home folder they used.
    pub(super) client: Client,
    driver: TauriDriver,
    tools: Tools,
    env: AppEnv,
    _turn: OwnedMutexGuard<()>,
}

impl AppDriver {
    /// Starts the app in `env` and waits until its page has loaded. Panics with what is
    /// missing when the display, the drivers or the app binary are not there.
    pub async fn launch(env: AppEnv) -> Self {
        let turn = TURN.clone().lock_owned().await;
        let tools = Tools::find();
        // The app of the test before may still be leaving the bus.
        if let Err(err) = single_instance_released().await {
            panic!("{err}");
        }
        let driver = match TauriDriver::start(&tools, &env).await {
            Ok(driver) => driver,
            Err(err) => panic!("{}", with_log(&err, &env.app_log())),
        };
        Self::attach(driver, tools, env, turn).await
    }

    /// The test's environment: its home, the person, the logs.
    pub fn env(&self) -> &AppEnv {
        &self.env
    }

    /// Quits the app (closes its window, the last one, which ends it) and starts it again in
    /// the same home, as a person restarting it would.
    pub async fn restart(self) -> Self {
        self.answer("closing the window", self.client.close_window())
            .await;
        let group = self.driver.group();
        let exited = wait::until("the app to exit", EXIT, || {
            let running = group.members_running(&self.tools.app);
            std::future::ready(if running.is_empty() {
                Probe::Ready(())
            } else {
                Probe::NotYet(format!("still running: pids {running:?}"))
            })
        })
        .await;
        if let Err(err) = exited {
            self.fail(&err);
        }
        if let Err(err) = single_instance_released().await {
            self.fail(&err);
        }
        let Self {
            client,
            driver,
            tools,
            env,
            _turn: turn,
        } = self;
        if let Err(err) = client.close().await {
            panic!(
                "{}",
                with_log(
                    &format!("ending the WebDriver session: {err}"),
                    driver.log()
                )
            );
        }
        Self::attach(driver, tools, env, turn).await
    }

    /// Closes the app's window as its close button does: a close request the app may turn
    /// down (with sync pairs it hides the window instead). WebDriver's own close destroys the
    /// web view without asking, and there is no window manager under Xvfb to press the button.
    pub async fn close_window(&self) {
        self.invoke(
            "plugin:window|close",
            serde_json::json!({ "label": "main" }),
        )
        .await;
    }

    /// Whether the app's process is still running.
    pub fn app_running(&self) -> bool {
        !self
            .driver
            .group()
            .members_running(&self.tools.app)
            .is_empty()
    }

    /// Opens a WebDriver session on `driver`, which starts the app, and waits for its page.
    async fn attach(
        driver: TauriDriver,
        tools: Tools,
        env: AppEnv,
        turn: OwnedMutexGuard<()>,
    ) -> Self {
        let client = match open_session(&driver, &tools.app).await {
            Ok(client) => client,
            Err(err) => panic!("{}", with_log(&err, driver.log())),
        };
        let app = Self {
            client,
            driver,
            tools,
            env,
            _turn: turn,
        };
        app.wait_for_page().await;
        app
    }

    /// Waits until the page says it shows `name` (`document.body.dataset.screen`: starting,
    /// sign-in, waiting, folder, settings).
    pub async fn wait_for_screen(&self, name: &str) {
        let what = format!("the {name:?} screen (document.body.dataset.screen)");
        self.wait(&what, || async {
            match self
                .script("return document.body ? document.body.dataset.screen ?? null : null")
                .await
            {
                Ok(Value::String(screen)) if screen == name => Probe::Ready(()),
                Ok(screen) => Probe::NotYet(format!("screen {screen}")),
                Err(err) => Probe::NotYet(err),
            }
        })
        .await
    }

    /// Waits until the element with `data-testid` = `testid` is shown, and returns it.
    pub async fn wait_for_visible(&self, testid: &str) -> Element {
        self.find_shown(testid, false).await
    }

    /// Clicks the element with `data-testid` = `testid` once it is shown and enabled.
    pub async fn click(&self, testid: &str) {
        let element = self.find_shown(testid, true).await;
        self.answer(
            &format!("clicking [data-testid={testid:?}]"),
            element.click(),
        )
        .await;
    }

    /// The text of the element with `data-testid` = `testid`, once it is shown.
    pub async fn text(&self, testid: &str) -> String {
        let element = self.find_shown(testid, false).await;
        self.answer(&format!("reading [data-testid={testid:?}]"), element.text())
            .await
    }

    /// Waits until the page's visible text contains `needle`.
    pub async fn wait_for_text(&self, needle: &str) {
        self.wait(&format!("the text {needle:?} on the page"), || async {
            match self
                .script("return document.body ? document.body.innerText : ''")
                .await
            {
                Ok(Value::String(text)) if text.contains(needle) => Probe::Ready(()),
                Ok(text) => Probe::NotYet(format!("page text {text}")),
                Err(err) => Probe::NotYet(err),
            }
        })
        .await
    }

    /// The page's title.
    pub async fn title(&self) -> String {
        self.answer("reading the title", self.client.title()).await
    }

    /// Scrolls every scrolled part of the page back to its top (clicking far down scrolls).
    pub async fn scroll_to_top(&self) {
        let scrolled = self
            .script("for (const e of [document.scrollingElement, ...document.querySelectorAll('*')]) { if (e && e.scrollTop) e.scrollTop = 0; } return true")
            .await;
        if let Err(err) = scrolled {
            self.fail(&err);
        }
    }

    /// Waits until no transition or finite animation runs on the page (a theme change fades
    /// colours; a spinner turns forever and is left out), so what is photographed is what the
    /// person ends up seeing.
    pub async fn wait_for_stillness(&self) {
        self.wait("the page to stop animating", || async {
            match self
                .script(
                    "return document.getAnimations().filter(a => a.playState === 'running' && Number.isFinite(a.effect?.getComputedTiming().endTime ?? 0)).length",
                )
                .await
            {
                Ok(Value::Number(running)) if running.as_u64() == Some(0) => Probe::Ready(()),
                Ok(running) => Probe::NotYet(format!("{running} animations running")),
                Err(err) => Probe::NotYet(err),
            }
        })
        .await
    }

    /// Writes a PNG of what the window shows to `path`, once the page is still: the app's window
    /// as the X server has it (xdotool finds it, ImageMagick's `import` reads it), not
    /// WebDriver's screenshot, which WebKitGTK 2.50 never answers while the page is drawn
    /// without compositing, as the app draws it on a display without a GPU (Xvfb's).
    pub async fn screenshot(&self, path: &Path) -> Screenshot {
        self.wait_for_stillness().await;
        let window = self.window_id();
        let written = Command::new("import")
            .args(["-window", &window])
            .arg(format!("png:{}", path.display()))
            .stdin(Stdio::null())
            .output();
        match written {
            Ok(output) if output.status.success() => {}
            Ok(output) => self.fail(&format!(
                "import -window {window} exited with {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )),
            Err(err) => self.fail(&format!(
                "cannot run import (apt install imagemagick): {err}"
            )),
        }
        let png = std::fs::read(path).unwrap_or_default();
        match Screenshot::from_png(&png) {
            Ok(shot) => shot,
            Err(why) => self.fail(&format!(
                "the screenshot is not a readable PNG ({why}; {} bytes starting {:?})",
                png.len(),
                &png[..png.len().min(16)]
            )),
        }
    }

    /// The X window id of the app's visible window (its title is the app's name).
    fn window_id(&self) -> String {
        let running = self.driver.group().members_running(&self.tools.app);
        let Some(pid) = running.first() else {
            self.fail("the app is not running")
        };
        let found = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--pid", &pid.to_string()])
            .args(["--name", "^Cubby$"])
            .stdin(Stdio::null())
            .output();
        let listed = match found {
            Ok(output) => String::from_utf8_lossy(&output.stdout).into_owned(),
            Err(err) => self.fail(&format!("cannot run xdotool (apt install xdotool): {err}")),
        };
        match listed.lines().next() {
            Some(window) => window.to_owned(),
            None => self.fail(&format!(
                "the app (process {pid}) shows no window titled Cubby"
            )),
        }
    }

    /// The last address the app sent the browser to.
    pub fn last_browser_address(&self) -> String {
        let log = std::fs::read_to_string(self.env.browser_log()).unwrap_or_default();
        match log.lines().rev().find_map(|line| line.strip_prefix(OPENED)) {
            Some(address) => address.to_owned(),
            None => self.fail(&format!(
                "the app has not opened the browser yet (browser log: {log:?})"
            )),
        }
    }

    /// With [`AppEnv::with_idle_browser`]: signs in on the page the app opened, as the person
    /// would in the browser, so the waiting app gets its callback.
    pub async fn finish_sign_in_in_browser(&self) {
        let address = self.last_browser_address();
        let mut browser = Command::new(test_browser());
        browser.arg(&address).stdin(Stdio::null());
        self.env.apply(&mut browser, &self.tools.app);
        browser.env_remove(IDLE_BROWSER);
        self.run_beside_app(browser, "the browser to sign in").await;
    }

    /// Sends the window's page to `address` (the hosted sign-in page, for a screenshot of it).
    /// The app's own page is gone after this; only screenshots make sense then.
    pub async fn show_page(&self, address: &str) {
        self.answer(&format!("going to {address}"), self.client.goto(address))
            .await;
    }

    /// Runs `command` in the app's process group (so it ends with the test) until it exits
    /// successfully.
    async fn run_beside_app(&self, mut command: Command, what: &str) {
        use std::os::unix::process::CommandExt;
        command.process_group(self.driver.group().id());
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(err) => self.fail(&format!("cannot start {what}: {err}")),
        };
        let status = wait::until(what, EXIT, || {
            std::future::ready(match child.try_wait() {
                Ok(Some(status)) => Probe::Ready(status),
                Ok(None) => Probe::NotYet("still running".to_owned()),
                Err(err) => Probe::Failed(err.to_string()),
            })
        })
        .await;
        match status {
            Ok(status) if status.success() => {}
            Ok(status) => self.fail(&format!("{what}: exited with {status}")),
            Err(err) => self.fail(&err),
        }
    }

    async fn wait_for_page(&self) {
        self.wait("the page to load (document.readyState)", || async {
            match self.script("return document.readyState").await {
                Ok(Value::String(state)) if state == "complete" => Probe::Ready(()),
                Ok(state) => Probe::NotYet(format!("readyState {state}")),
                Err(err) => Probe::NotYet(err),
            }
        })
        .await
    }

    pub(super) async fn find_shown(&self, testid: &str, enabled: bool) -> Element {
        assert!(
            testid
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "test ids are plain words with dashes: {testid:?}"
        );
        let selector = format!("[data-testid=\"{testid}\"]");
        let what = if enabled {
            format!("{selector} to be shown and enabled")
        } else {
            format!("{selector} to be shown")
        };
        self.wait(&what, || async {
            let element = match self.client.find(Locator::Css(&selector)).await {
                Ok(element) => element,
                Err(err) => return Probe::NotYet(format!("not found ({err})")),
            };
            match (element.is_displayed().await, element.is_enabled().await) {
                (Ok(true), Ok(true)) => Probe::Ready(element),
                (Ok(true), Ok(false)) if !enabled => Probe::Ready(element),
                (shown, usable) => Probe::NotYet(format!("shown {shown:?}, enabled {usable:?}")),
            }
        })
        .await
    }

    /// [`wait::until`] with [`UI`] as the deadline, giving up when the app is gone, and failing
    /// the test with the app's log.
    pub(super) async fn wait<T, F, Fut>(&self, what: &str, mut probe: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Probe<T>>,
    {
        let app_gone = || {
            self.driver
                .group()
                .members_running(&self.tools.app)
                .is_empty()
        };
        let outcome = wait::until(what, UI, || {
            let answer = tokio::time::timeout(COMMAND, probe());
            async move {
                match answer.await {
                    Err(_) => Probe::NotYet(format!("no answer from WebDriver in {COMMAND:?}")),
                    Ok(Probe::NotYet(_)) if app_gone() => {
                        Probe::Failed("the app is not running".to_owned())
                    }
                    Ok(other) => other,
                }
            }
        })
        .await;
        match outcome {
            Ok(value) => value,
            Err(err) => self.fail(&err),
        }
    }

    pub(super) async fn script(&self, source: &str) -> Result<Value, String> {
        self.client
            .execute(source, Vec::new())
            .await
            .map_err(|err| format!("script failed: {err}"))
    }

    /// Awaits one WebDriver command, failing the test when it errs or takes over [`COMMAND`].
    pub(super) async fn answer<T>(
        &self,
        what: &str,
        command: impl Future<Output = Result<T, fantoccini::error::CmdError>>,
    ) -> T {
        match tokio::time::timeout(COMMAND, command).await {
            Ok(Ok(value)) => value,
            Ok(Err(err)) => self.fail(&format!("{what} failed: {err}")),
            Err(_) => self.fail(&format!("{what}: no answer from WebDriver in {COMMAND:?}")),
        }
    }

    pub(super) fn fail(&self, message: &str) -> ! {
        panic!("{}", with_log(message, self.driver.log()))
    }
}

/// What the test browser writes before the address it was sent to.
const OPENED: &str = "test-browser: opened ";

/// The D-Bus name tauri-plugin-single-instance holds while the app runs: the identifier of
/// tauri.conf.json with `.SingleInstance`.
const SINGLE_INSTANCE_NAME: &str = "app.cubby.desktop.SingleInstance";

/// Waits until no app holds [`SINGLE_INSTANCE_NAME`]. The bus frees it a moment after the
/// process is gone; a start before that hands its arguments to the dying app and quits (the
/// person would see nothing happen).
async fn single_instance_released() -> Result<(), String> {
    wait::until("the app's single-instance name to be free", EXIT, || {
        std::future::ready(match single_instance_name_owned() {
            Ok(false) => Probe::Ready(()),
            Ok(true) => Probe::NotYet(format!("{SINGLE_INSTANCE_NAME} still has an owner")),
            Err(err) => Probe::Failed(err),
        })
    })
    .await
}

/// Whether the session bus still gives [`SINGLE_INSTANCE_NAME`] to someone.
fn single_instance_name_owned() -> Result<bool, String> {
    let output = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--reply-timeout=5000",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{SINGLE_INSTANCE_NAME}"),
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("cannot run dbus-send (install dbus): {err}"))?;
    let reply = String::from_utf8_lossy(&output.stdout);
    match (
        output.status.success(),
        reply.contains("boolean true"),
        reply.contains("boolean false"),
    ) {
        (true, true, _) => Ok(true),
        (true, _, true) => Ok(false),
        _ => Err(format!(
            "dbus-send NameHasOwner failed: {}{}",
            reply,
            String::from_utf8_lossy(&output.stderr)
        )),
    }
}
/// Set: the test browser only notes the address and stays on the page.
const IDLE_BROWSER: &str = "CUBBY_TEST_BROWSER_IDLE";

async fn open_session(driver: &TauriDriver, app: &Path) -> Result<Client, String> {
    let mut capabilities = Capabilities::new();
    capabilities.insert("tauri:options".to_owned(), json!({ "application": app }));
    let mut builder = ClientBuilder::new(HttpConnector::new());
    builder.capabilities(capabilities);
    match tokio::time::timeout(LAUNCH, builder.connect(&driver.url)).await {
        Ok(Ok(client)) => Ok(client),
        Ok(Err(err)) => Err(format!(
            "WebDriver could not start {}: {err}",
            app.display()
        )),
        Err(_) => Err(format!(
            "timed out after {LAUNCH:?} waiting for WebDriver to start {}",
            app.display()
        )),
    }
}

/// `message` and the last lines of the log at `log`.
fn with_log(message: &str, log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_else(|err| format!("(unreadable: {err})"));
    let lines: Vec<&str> = text.lines().collect();
    let tail = match lines.len() {
        0 => "(empty)".to_owned(),
        count => lines[count.saturating_sub(LOG_LINES)..].join("\n"),
    };
    format!(
        "{message}\n--- the last lines of {} (tauri-driver, WebKitWebDriver, the app) ---\n{tail}",
        log.display()
    )
}

//! The world one app launch sees: a home folder of its own and the person its browser plays.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use cubby_test_support::Person;
use tempfile::TempDir;

use crate::test_browser;

/// A test's own home (config, the sandbox's data, web view caches, logs) and the person whose
/// browser the app opens. Launches with the same `AppEnv` see the same home, as a person
/// restarting the app would.
pub struct AppEnv {
    dir: TempDir,
    person: Person,
    browser_idles: bool,
}

impl AppEnv {
    /// A fresh home, and a browser that signs `person` up or in on the hosted page.
    pub fn new(person: Person) -> Self {
        let env = Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
            person,
            browser_idles: false,
        };
        for dir in [env.config_home(), env.data_home(), env.cache_home()] {
            std::fs::create_dir_all(dir).expect("the home folders can be made");
        }
        env
    }

    /// Writes Cubby's config file (`profile.to_toml(NAME)`), as a person who set up a profile.
    pub fn with_config(self, toml: &str) -> Self {
        let file = self.config_home().join("cubby").join("config.toml");
        std::fs::create_dir_all(file.parent().expect("the file is in a folder"))
            .expect("the config folder can be made");
        std::fs::write(&file, toml).expect("the config file can be written");
        self
    }

    /// The browser only notes the address it was sent to and leaves the page open, so the app
    /// stays waiting for the callback (see [`crate::app::AppDriver::finish_sign_in_in_browser`]).
    pub fn with_idle_browser(mut self) -> Self {
        self.browser_idles = true;
        self
    }

    /// Makes a script the desktop's default app for files of `mime_type` (through a desktop
    /// entry and `mimeapps.list`, which xdg-open reads); [`Self::opened_log`] lists each path it
    /// is asked to open. Set before the launch: the app registers its `cubby://` handler in the
    /// same `mimeapps.list` as it starts, and a write after that would race it.
    pub fn with_default_app(self, mime_type: &str) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let script = self.dir().join("default-app.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
                self.opened_log().display()
            ),
        )
        .expect("the default app's script can be written");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .expect("the script can be made executable");
        let applications = self.data_home().join("applications");
        std::fs::create_dir_all(&applications).expect("the applications folder can be made");
        std::fs::write(
            applications.join("cubby-test-default-app.desktop"),
            format!(
                "[Desktop Entry]\nType=Application\nName=Test default app\nExec={} %f\nMimeType={mime_type};\n",
                script.display()
            ),
        )
        .expect("the desktop entry can be written");
        std::fs::write(
            self.config_home().join("mimeapps.list"),
            format!("[Default Applications]\n{mime_type}=cubby-test-default-app.desktop\n"),
        )
        .expect("mimeapps.list can be written");
        self
    }

    /// Where the default app of [`Self::with_default_app`] writes each path it opens.
    pub fn opened_log(&self) -> PathBuf {
        self.dir().join("opened.log")
    }

    /// The person the browser signs in as.
    pub fn person(&self) -> Person {
        self.person
    }

    /// The folder of this test's files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Where the browser reports each address it was sent to and what came of it.
    pub fn browser_log(&self) -> PathBuf {
        self.dir().join("browser.log")
    }

    /// Where tauri-driver, WebKitWebDriver and the app write their output.
    pub fn app_log(&self) -> PathBuf {
        self.dir().join("app.log")
    }

    /// Gives `command` the environment of the app (and of everything it starts), on top of the
    /// test's own; `app` is the binary that opens `cubby://` links.
    pub(super) fn apply(&self, command: &mut Command, app: &Path) {
        // Settings of the test's own environment the app must not see. WebKitGTK's rendering
        // switches are among them: how the page is drawn is the app's choice (without a GPU,
        // as under Xvfb, it draws without compositing), so tests see what people get.
        for name in [
            "CUBBY_CONFIG",
            "CUBBY_PROFILE",
            "CUBBY_TEST_BROWSER_IDLE",
            "WEBKIT_DISABLE_COMPOSITING_MODE",
            "WEBKIT_DISABLE_DMABUF_RENDERER",
        ] {
            command.env_remove(name);
        }
        command.envs(self.vars(app));
    }

    fn vars(&self, app: &Path) -> Vec<(&'static str, OsString)> {
        let mut vars = vec![
            ("HOME", self.home().into()),
            ("XDG_CONFIG_HOME", self.config_home().into()),
            ("XDG_DATA_HOME", self.data_home().into()),
            ("XDG_CACHE_HOME", self.cache_home().into()),
            // No accessibility bus in the private D-Bus session; GTK would wait for it.
            ("NO_AT_BRIDGE", "1".into()),
            ("BROWSER", test_browser().into()),
            ("CUBBY_TEST_EMAIL", self.person.email.into()),
            ("CUBBY_TEST_PASSWORD", self.person.password.into()),
            ("CUBBY_TEST_BROWSER_LOG", self.browser_log().into()),
            // What the desktop runs for a `cubby://` link: the app itself, as its .desktop file says.
            ("CUBBY_TEST_URL_HANDLER", app.into()),
            // Lets a debug build answer `e2e_drop`, the stand-in for the OS dropping files.
            ("CUBBY_E2E", "1".into()),
        ];
        if self.browser_idles {
            vars.push(("CUBBY_TEST_BROWSER_IDLE", "1".into()));
        }
        vars
    }

    /// The home folder the app runs with.
    pub fn home(&self) -> PathBuf {
        self.dir().join("home")
    }

    fn config_home(&self) -> PathBuf {
        self.home().join(".config")
    }

    fn data_home(&self) -> PathBuf {
        self.home().join(".local/share")
    }

    fn cache_home(&self) -> PathBuf {
        self.home().join(".cache")
    }
}

//! What the app tests need from the machine, checked before anything starts; a missing piece
//! stops the test with what to install, never skips it.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use cubby_test_support::keyring::require_secret_service;

use crate::build_dir;

/// The programs an app test runs.
#[derive(Debug, Clone)]
pub(super) struct Tools {
    /// tauri-driver, the WebDriver server that starts Tauri apps.
    pub tauri_driver: PathBuf,
    /// WebKitGTK's own WebDriver, which tauri-driver puts in front of.
    pub native_driver: PathBuf,
    /// `cubby-desktop` of this build.
    pub app: PathBuf,
}

impl Tools {
    /// The tools, after checking the display and the D-Bus session they run in.
    pub(super) fn find() -> Self {
        assert!(
            std::env::var_os("DISPLAY").is_some_and(|display| !display.is_empty()),
            "the app tests open a window and need an X display: run them under `xvfb-run -a` \
             (apt install xvfb xauth), as scripts/test does"
        );
        require_secret_service();
        let tauri_driver = on_path("tauri-driver").unwrap_or_else(|| {
            panic!(
                "tauri-driver is not on PATH: `scripts/install-deps --test` installs it into \
                 ~/.cache/cubby/tools/bin, which scripts/test puts on PATH"
            )
        });
        let native_driver = on_path("WebKitWebDriver").unwrap_or_else(|| {
            panic!("WebKitWebDriver is not on PATH: apt install webkit2gtk-driver")
        });
        let app = build_dir().join(format!("cubby-desktop{}", std::env::consts::EXE_SUFFIX));
        assert!(
            app.is_file(),
            "{} is missing: run `cargo build -p cubby-desktop` (after `npm run build` in ui/) \
             before the app tests",
            app.display()
        );
        Self {
            tauri_driver,
            native_driver,
            app,
        }
    }
}

/// The first executable called `name` in `$PATH`.
fn on_path(name: impl AsRef<OsStr>) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name.as_ref()))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

//! The desktop app as a person meets it: the real `cubby-desktop` binary of this build, in a
//! real window on an X display (Xvfb in tests), driven through tauri-driver and WebKitWebDriver
//! (classic WebDriver). Each test gets its own home folder, so config, sandbox data and web view
//! caches start empty; the person's browser is this package's `test-browser`, which signs up or
//! in on the hosted page and hands the callback back to the app.
//!
//! Every wait has a deadline and names what it waited for; a failure shows the app's log. The
//! app, its WebDriver and whatever they started run in one process group that is killed when the
//! [`AppDriver`] drops, so a failing test leaves nothing running.

mod axe;
mod browser;
mod dialog;
mod driver;
mod env;
mod prerequisites;
mod process_group;
mod screenshot;
mod session;
mod wait;

pub use browser::row_selector;
pub use env::AppEnv;
pub use fantoccini::key::Key;
pub use process_group::ProcessGroup;
pub use screenshot::Screenshot;
pub use session::AppDriver;

//! The OS file and folder choosers the app opens (GTK's, on Linux), answered as a person does
//! it from the keyboard: Ctrl+L for the location bar, the path, Enter. xdotool types into the
//! real dialog on the X display; WebDriver cannot reach it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::session::AppDriver;
use super::wait::{self, Probe};

/// How long the dialog gets to appear once the app was asked to open it.
const DIALOG: Duration = Duration::from_secs(30);
/// How long a typed answer gets to close the dialog before it is typed again: a dialog that
/// has just been mapped can drop keys while GTK realizes its widgets.
const ANSWERED: Duration = Duration::from_secs(3);
/// Typed answers before giving up.
const ATTEMPTS: usize = 5;

impl AppDriver {
    /// Chooses `path` in the dialog titled `title` that the app has opened (or is opening),
    /// and waits until the dialog is gone.
    pub async fn answer_file_dialog(&self, title: &str, path: &Path) {
        let window = wait::until(&format!("the dialog {title:?}"), DIALOG, || {
            std::future::ready(match dialog_window(title) {
                Ok(Some(id)) => Probe::Ready(id),
                Ok(None) => Probe::NotYet("no such window".to_owned()),
                Err(err) => Probe::Failed(err),
            })
        })
        .await
        .unwrap_or_else(|err| self.fail(&err));
        let location = path.display().to_string();
        let mut last = String::new();
        for _ in 0..ATTEMPTS {
            let steps: [&[&str]; 5] = [
                &["windowfocus", "--sync", &window],
                &["key", "--clearmodifiers", "ctrl+l"],
                &["key", "--clearmodifiers", "ctrl+a"],
                &["type", "--delay", "2", &location],
                &["key", "Return"],
            ];
            for step in steps {
                if let Err(err) = xdotool(step) {
                    self.fail(&format!("answering the dialog {title:?}: {err}"));
                }
            }
            let closed = wait::until(&format!("the dialog {title:?} to close"), ANSWERED, || {
                std::future::ready(match dialog_window(title) {
                    Ok(None) => Probe::Ready(()),
                    Ok(Some(_)) => Probe::NotYet("still open".to_owned()),
                    Err(err) => Probe::Failed(err),
                })
            })
            .await;
            match closed {
                Ok(()) => return,
                Err(err) => last = err,
            }
        }
        self.fail(&format!(
            "typed {location:?} into {title:?} {ATTEMPTS} times: {last}"
        ));
    }
}

/// The visible window titled `title`, if there is one.
fn dialog_window(title: &str) -> Result<Option<String>, String> {
    let output = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", title])
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("cannot run xdotool (apt install xdotool): {err}"))?;
    // `search` exits 1 when nothing matches.
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .map(str::to_owned))
}

/// Runs xdotool with `args`, failing with its words when it fails.
fn xdotool(args: &[&str]) -> Result<(), String> {
    let output = Command::new("xdotool")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("cannot run xdotool (apt install xdotool): {err}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "xdotool {} exited with {}: {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

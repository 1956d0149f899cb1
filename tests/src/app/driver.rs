//! tauri-driver with WebKitWebDriver behind it, on free loopback ports, in a process group of its
//! own. The app inherits this process's environment (WebKitWebDriver starts it), which is how an
//! [`AppEnv`] reaches the app.

use std::fs::File;
use std::net::{Ipv4Addr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use cubby_test_support::ports::free_port;

use super::env::AppEnv;
use super::prerequisites::Tools;
use super::process_group::ProcessGroup;
use super::wait::{self, Probe};

/// How long tauri-driver and WebKitWebDriver get to open their ports.
const STARTUP: Duration = Duration::from_secs(20);

/// A running tauri-driver; dropping it ends it, WebKitWebDriver and every app they started.
pub(super) struct TauriDriver {
    group: ProcessGroup,
    /// Where the session is opened: `http://127.0.0.1:PORT`.
    pub url: String,
    log: PathBuf,
}

impl TauriDriver {
    /// Starts tauri-driver for apps that see `env`, and waits until both it and the native
    /// driver answer on their ports.
    pub(super) async fn start(tools: &Tools, env: &AppEnv) -> Result<Self, String> {
        let port = free_port();
        let native_port = (0..)
            .map(|_| free_port())
            .find(|other| *other != port)
            .expect("two free ports");
        let log = env.app_log();
        let output = File::options()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(|err| format!("cannot open {}: {err}", log.display()))?;
        let mut command = Command::new(&tools.tauri_driver);
        command
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .arg("--native-driver")
            .arg(&tools.native_driver)
            .stdin(Stdio::null())
            .stdout(output.try_clone().map_err(|err| err.to_string())?)
            .stderr(output);
        env.apply(&mut command, &tools.app);
        let group = ProcessGroup::spawn(command)
            .map_err(|err| format!("cannot start {}: {err}", tools.tauri_driver.display()))?;
        let mut driver = Self {
            group,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        for (name, port) in [("tauri-driver", port), ("WebKitWebDriver", native_port)] {
            driver.wait_for_port(name, port).await?;
        }
        Ok(driver)
    }

    /// The process group everything of this driver runs in.
    pub(super) fn group(&self) -> &ProcessGroup {
        &self.group
    }

    /// The driver's and the app's output so far.
    pub(super) fn log(&self) -> &Path {
        &self.log
    }

    async fn wait_for_port(&mut self, name: &str, port: u16) -> Result<(), String> {
        let group = &mut self.group;
        wait::until(&format!("{name} to listen on port {port}"), STARTUP, || {
            let answer = match group.leader_exit() {
                Some(status) => Probe::Failed(format!("tauri-driver exited ({status})")),
                None => match TcpStream::connect((Ipv4Addr::LOCALHOST, port)) {
                    Ok(_) => Probe::Ready(()),
                    Err(err) => Probe::NotYet(err.to_string()),
                },
            };
            std::future::ready(answer)
        })
        .await
    }
}

//! moto's S3 server: an independent S3 implementation the storage suite also runs against,
//! so the suite does not only check localcloud against itself.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use url::Url;

use crate::ports::free_port;

/// A `moto_server` on a loopback port, killed when dropped.
pub struct Moto {
    /// Where it answers.
    pub endpoint: Url,
    _server: Child,
}

impl Moto {
    /// Starts `moto_server` on a free loopback port and waits for its "Running on" line.
    pub async fn start() -> Self {
        let port = free_port();
        let mut server = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("moto_server runs (pip install 'moto[server]')");
        let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
        let ready = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if line.contains("Running on") {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(ready, Ok(true), "moto_server did not start");
        // Keep draining its log so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            endpoint: Url::parse(&format!("http://127.0.0.1:{port}")).unwrap(),
            _server: server,
        }
    }
}

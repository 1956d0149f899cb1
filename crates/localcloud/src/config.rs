//! How a localcloud instance is set up: where it keeps its data, which port, which users,
//! which callbacks are registered, and the lifetimes tests like to shorten.

use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::time::Duration;

/// The user pool id localcloud presents (Cognito's `REGION_ID` shape).
pub const USER_POOL_ID: &str = "us-east-1_cubbylocal";
pub const REGION: &str = "us-east-1";
pub const DEFAULT_BUCKET: &str = "cubby";

/// Loopback ports registered by default; the CLI and app try them in order.
pub const DEFAULT_CALLBACK_PORTS: [u16; 3] = [53682, 53683, 53684];
pub const DEFAULT_DEEP_LINK: &str = "cubby://auth/callback";

#[derive(Debug, Clone)]
pub struct LocalCloudConfig {
    /// Where users, keys, identities and objects live; reused across restarts.
    pub data_dir: PathBuf,
    /// TCP port on 127.0.0.1; 0 picks any free port.
    pub port: u16,
    /// `(email, password)` pairs created at start when missing.
    pub users: Vec<(String, String)>,
    /// Lifetime of identity-pool credentials (AWS: 1 hour, fixed).
    pub credentials_ttl: Duration,
    /// Lifetime of id and access tokens (AWS default: 1 hour).
    pub token_ttl: Duration,
    /// Lifetime of refresh tokens (AWS default: 30 days).
    pub refresh_token_ttl: Duration,
    /// Lifetime of authorization codes (AWS: 5 minutes).
    pub code_ttl: Duration,
    /// Whether a refresh grant returns a new refresh token and revokes the old one
    /// (Cognito's refresh-token rotation, with a grace period of 0 s).
    pub rotate_refresh_tokens: bool,
    /// Registered callback URLs (`redirect_uri` must equal one of them exactly).
    pub callbacks: Vec<String>,
    /// Registered sign-out URLs (`logout_uri` of `/logout`).
    pub sign_out_urls: Vec<String>,
    pub bucket: String,
    /// The issuer (`iss`) tokens name, in place of this server's own URL: a name that stays
    /// the same whichever port the server gets, so the identities, the `Logins` key and the
    /// app's keyring entry survive a restart on another port. Discovery stays on the server.
    pub issuer: Option<String>,
}

impl LocalCloudConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            port: 0,
            users: Vec::new(),
            credentials_ttl: Duration::from_secs(3600),
            token_ttl: Duration::from_secs(3600),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            code_ttl: Duration::from_secs(300),
            rotate_refresh_tokens: false,
            callbacks: DEFAULT_CALLBACK_PORTS
                .iter()
                .map(|port| loopback(*port, "callback"))
                .chain([DEFAULT_DEEP_LINK.to_owned()])
                .collect(),
            sign_out_urls: vec![
                loopback(DEFAULT_CALLBACK_PORTS[0], "signed-out"),
                "cubby://auth/signed-out".to_owned(),
            ],
            bucket: DEFAULT_BUCKET.to_owned(),
            issuer: None,
        }
    }

    /// Registers loopback callbacks on `count` ports that are free right now (so instances
    /// running side by side do not collide) and the sign-out page beside the first, in place
    /// of all registered callbacks and sign-out URLs; the ports.
    pub fn callbacks_on_free_ports(&mut self, count: usize) -> std::io::Result<Vec<u16>> {
        let listeners = (0..count)
            .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)))
            .collect::<std::io::Result<Vec<_>>>()?;
        let ports = listeners
            .iter()
            .map(|l| l.local_addr().map(|a| a.port()))
            .collect::<std::io::Result<Vec<_>>>()?;
        self.callbacks = ports.iter().map(|p| loopback(*p, "callback")).collect();
        self.sign_out_urls = ports[..count.min(1)]
            .iter()
            .map(|p| loopback(*p, "signed-out"))
            .collect();
        Ok(ports)
    }
}

fn loopback(port: u16, path: &str) -> String {
    format!("http://localhost:{port}/{path}")
}

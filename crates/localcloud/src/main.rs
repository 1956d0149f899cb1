//! `cubby-localcloud`: runs the sandbox until stopped and prints how to reach it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use cubby_localcloud::{LocalCloud, LocalCloudConfig};

#[derive(Debug, Parser)]
#[command(
    name = "cubby-localcloud",
    version,
    about = "Cognito-compatible sign-in, identity pool and S3 on loopback, for Cubby's sandbox and tests"
)]
struct Args {
    /// Directory for users, keys, identities and objects (created if missing; reused across runs).
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Port on 127.0.0.1 (default: any free port).
    #[arg(long, value_name = "N", default_value_t = 0)]
    port: u16,
    /// A user to create if missing, as EMAIL:PASSWORD (repeatable).
    #[arg(long = "user", value_name = "EMAIL:PASSWORD", value_parser = parse_user)]
    users: Vec<(String, String)>,
    /// Lifetime of identity-pool credentials, in seconds (AWS: 3600).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
    credentials_ttl: u64,
    /// Give a new refresh token at every refresh and revoke the one used (Cognito's refresh-token
    /// rotation, without grace period).
    #[arg(long)]
    rotate_refresh_tokens: bool,
    /// Print one JSON object {"profile": {...}, "admin": {...}} on the first line instead of TOML.
    #[arg(long)]
    json: bool,
}

fn parse_user(value: &str) -> Result<(String, String), String> {
    value
        .split_once(':')
        .filter(|(email, password)| !email.is_empty() && !password.is_empty())
        .map(|(email, password)| (email.to_owned(), password.to_owned()))
        .ok_or_else(|| {
            format!("{value:?} is not EMAIL:PASSWORD, e.g. ada@example.com:correct-horse")
        })
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "cubby_localcloud=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let mut config = LocalCloudConfig::new(args.data.clone());
    config.port = args.port;
    config.users = args.users;
    config.credentials_ttl = Duration::from_secs(args.credentials_ttl);
    config.rotate_refresh_tokens = args.rotate_refresh_tokens;

    let cloud = match LocalCloud::start(config).await {
        Ok(cloud) => cloud,
        Err(err) => {
            eprintln!("cubby-localcloud: {err}");
            return ExitCode::FAILURE;
        }
    };
    let profile = cloud.profile();
    let admin = cloud.admin();
    if args.json {
        let line = serde_json::json!({"profile": profile, "admin": admin});
        println!("{line}");
    } else {
        println!(
            "# cubby-localcloud is listening on {} (data: {})",
            cloud.endpoint(),
            args.data.display()
        );
        println!(
            "# The profile that reaches it (save to a file, then `cubby profile add sandbox --from FILE`):"
        );
        println!();
        print!("{}", profile.to_toml("sandbox"));
        println!();
        println!("# Admin credential: may do everything on S3 (tests, benchmarks, inspection).");
        println!("#   access_key_id     = {}", admin.access_key_id);
        println!("#   secret_access_key = {}", admin.secret_access_key);
        println!("# Press Ctrl-C to stop.");
    }
    wait_for_stop_signal().await;
    cloud.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

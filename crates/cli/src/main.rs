//! `cubby`: the command-line front end. Each subcommand translates arguments into a call to
//! cubby-core and its result into text or JSON. Exit codes: 0 success, 1 failure, 2 usage.

mod commands;
mod context;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cubby_core::ErrorCode;

use context::Context;

#[derive(Debug, Parser)]
#[command(
    name = "cubby",
    version,
    about = "Your private S3 folder, from the terminal"
)]
struct Cli {
    /// Profile to use (default: the config's default_profile, or its only profile).
    #[arg(long, global = true, env = "CUBBY_PROFILE", value_name = "NAME")]
    profile: Option<String>,
    /// Config file (default: config.toml in the platform config directory).
    #[arg(long, global = true, env = "CUBBY_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in through the hosted sign-in page in your browser.
    Login(commands::auth::LoginArgs),
    /// Sign out: revoke the session and forget it on this machine.
    Logout(commands::auth::LogoutArgs),
    /// Show who is signed in, their folder and credential expiry.
    Whoami(commands::auth::WhoamiArgs),
    /// Print temporary AWS credentials as `credential_process` JSON (Version 1).
    Credentials,
    /// Manage profiles in the config file.
    #[command(subcommand)]
    Profile(commands::profile::ProfileCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cubby: cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    let context = Context::new(cli.config, cli.profile);
    let result = runtime.block_on(async {
        match cli.command {
            Command::Login(args) => commands::auth::login(&context, args).await,
            Command::Logout(args) => commands::auth::logout(&context, args).await,
            Command::Whoami(args) => commands::auth::whoami(&context, args).await,
            Command::Credentials => commands::auth::credentials(&context).await,
            Command::Profile(command) => commands::profile::run(&context, command).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let hint = match err.code {
                ErrorCode::AuthSessionExpired | ErrorCode::AuthNotSignedIn => {
                    " (run `cubby login`)"
                }
                _ => "",
            };
            eprintln!("cubby: {err}{hint} [{}]", err.code);
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr, quiet unless `CUBBY_LOG` asks (e.g. `CUBBY_LOG=debug`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CUBBY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

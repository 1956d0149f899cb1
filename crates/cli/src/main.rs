//! `cubby`: the command-line front end. Each subcommand translates arguments into a call to
//! cubby-core and its result into text or JSON. Exit codes: 0 success, 1 failure, 2 usage.

mod commands;
mod context;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cubby_core::ErrorCode;
use cubby_core::logging::{self, LogOutput};

use context::Context;

/// The SDK allocates a good deal per request, and part buffers of several MiB come and go:
/// glibc's malloc spent an eighth of the CPU of a small-file upload and, spreading the part
/// buffers over per-thread arenas, took a 1 GiB upload's memory well past the transfer budget.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    Credentials(commands::auth::CredentialsArgs),
    /// Manage profiles in the config file.
    #[command(subcommand)]
    Profile(commands::profile::ProfileCommand),
    /// List a folder of yours (`docs`; nothing or `/` is the top).
    Ls(commands::files::LsArgs),
    /// Upload files and folders (recursively) into a folder of yours.
    Put(commands::transfers::PutArgs),
    /// Download files and folders (recursively) into a local folder.
    Get(commands::transfers::GetArgs),
    /// Finish the uploads and downloads an interrupted put or get (or the app) left unfinished.
    Resume(commands::transfers::ResumeArgs),
    /// Delete files, or folders with -r.
    Rm(commands::files::RmArgs),
    /// Move or rename a file or folder.
    Mv(commands::files::CopyArgs),
    /// Copy a file or folder.
    Cp(commands::files::CopyArgs),
    /// Create a folder.
    Mkdir(commands::files::MkdirArgs),
    /// Print a link that lets anyone download a file until it expires.
    Share(commands::files::ShareArgs),
    /// Show the bytes and number of files in a folder.
    Du(commands::files::DuArgs),
    /// Keep a local folder in step with a folder of yours (once, or watching); --list shows
    /// the pairs.
    Sync(commands::sync::SyncArgs),
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
            Command::Credentials(args) => commands::auth::credentials(&context, args).await,
            Command::Profile(command) => commands::profile::run(&context, command).await,
            Command::Ls(args) => commands::files::ls(&context, args).await,
            Command::Put(args) => commands::transfers::put(&context, args).await,
            Command::Get(args) => commands::transfers::get(&context, args).await,
            Command::Resume(args) => commands::transfers::resume(&context, args).await,
            Command::Rm(args) => commands::files::rm(&context, args).await,
            Command::Mv(args) => commands::files::mv(&context, args).await,
            Command::Cp(args) => commands::files::cp(&context, args).await,
            Command::Mkdir(args) => commands::files::mkdir(&context, args).await,
            Command::Share(args) => commands::files::share(&context, args).await,
            Command::Du(args) => commands::files::du(&context, args).await,
            Command::Sync(args) => commands::sync::sync(&context, args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let hint = match err.code {
                ErrorCode::AuthSessionExpired | ErrorCode::AuthNotSignedIn => {
                    " (run `cubby login`)"
                }
                ErrorCode::SecretsUnavailable => {
                    "; without one, `cubby credentials --no-keyring` signs in for one set of temporary credentials and keeps nothing"
                }
                _ => "",
            };
            eprintln!("cubby: {err}{hint} [{}]", err.code);
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr, quiet unless `CUBBY_LOG` asks (e.g. `CUBBY_LOG=debug`); never with secrets.
fn init_logging() {
    logging::init(LogOutput {
        env_var: Some("CUBBY_LOG"),
        default_level: "warn",
        writer: std::io::stderr,
        colour: std::io::stderr().is_terminal(),
    });
}

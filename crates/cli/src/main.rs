//! `cubby`: the command-line front end. Each subcommand translates arguments into a call to
//! cubby-core and its result into text or JSON.

use std::process::ExitCode;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "cubby",
    version,
    about = "Your private S3 folder, from the terminal"
)]
struct Cli {}

fn main() -> ExitCode {
    let _cli = Cli::parse();
    ExitCode::SUCCESS
}

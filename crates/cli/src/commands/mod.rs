//! One module per group of subcommands; each is a thin translation to cubby-core.

pub mod auth;
pub mod files;
pub mod profile;
pub mod sync;
pub mod transfers;

use serde::Serialize;

/// Prints one JSON value on a line of its own: the `--json` output of the commands, which
/// serialize core's types (or a view of them) rather than building JSON by hand.
pub fn print_json_line(value: &impl Serialize) {
    let line = serde_json::to_string(value)
        .expect("core's values and the CLI's views of them serialize to JSON");
    println!("{line}");
}

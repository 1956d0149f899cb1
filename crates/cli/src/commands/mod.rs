//! One module per group of subcommands; each is a thin translation to cubby-core.

pub mod auth;
pub mod files;
pub mod profile;
pub mod transfers;

//! Profiles: where a person's Cubby lives (user pool, app client, identity pool, bucket).
//!
//! One TOML file holds any number of `[profiles.NAME]` tables. The CLI, the desktop app,
//! localcloud (which prints the profile that reaches it) and the AWS setup all share this schema.
//! Every value is checked here, once, and a bad one is reported with the field, what is wrong
//! and an example of a good value.
//!
//! The checked types are in `types`; `raw` is their shape in the file, `file` reads and writes
//! it, and `validate` turns the raw shape into the checked types; `stack_outputs` reads a
//! profile from the AWS setup stack's outputs.

mod edit;
mod file;
mod raw;
#[cfg(test)]
mod sample;
mod stack_outputs;
mod types;
mod validate;

pub use edit::ProfileDraft;
pub use file::write_atomically;
pub use types::{
    Config, DEFAULT_FOLDER, DEFAULT_SCOPES, Endpoints, FolderTemplate, IDENTITY_ID_PLACEHOLDER,
    Profile, Redirect,
};

//! Cubby's core: everything that is not UI. Front ends (the `cubby` CLI, the Tauri shell)
//! only translate between their world and the types here.

pub mod config;
pub mod error;

pub use error::{Error, ErrorCode, Result};

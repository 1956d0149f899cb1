//! Cubby's core: everything that is not UI. Front ends (the `cubby` CLI, the Tauri shell)
//! only translate between their world and the types here.

#![warn(missing_docs)]

pub mod auth;
pub mod config;
pub mod error;
pub mod identity;
pub mod logging;
pub mod secrets;
pub mod session;
pub mod settings;
pub mod storage;
pub mod sync;
pub mod timeouts;
pub mod transfer;
pub mod wire;

pub use error::{Error, ErrorCode, Result};

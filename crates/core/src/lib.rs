//! Cubby's core: everything that is not UI. Front ends (the `cubby` CLI, the Tauri shell)
//! only translate between their world and the types here.

pub mod auth;
pub mod config;
pub mod error;
pub mod identity;
pub mod secrets;
pub mod session;
pub mod storage;
pub mod timeouts;
pub mod transfer;

pub use error::{Error, ErrorCode, Result};

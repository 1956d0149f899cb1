//! What Cubby's tests share, so each test binary stops carrying its own copy: a localcloud per
//! test in a temporary directory, the people who sign in to it, signed-in sessions, the app's
//! side of the OAuth flow by hand, S3 clients, the S3 backends of the storage suite (localcloud
//! and moto) and an admin view of the bucket to check the object layout from outside.
//!
//! A dev-dependency only: nothing shipped depends on it.

#![warn(missing_docs)]

pub mod aws;
pub mod backend;
pub mod browser;
pub mod bucket_admin;
pub mod cloud;
pub mod keyring;
pub mod moto;
pub mod oauth;
pub mod people;
pub mod ports;
pub mod session;
pub mod sync_folders;
pub mod sync_sim;
pub mod transfers;

pub use backend::Backend;
pub use bucket_admin::BucketAdmin;
pub use cloud::TestCloud;
pub use people::{ALICE, BOB, Person};

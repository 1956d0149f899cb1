//! What a folder transfer leaves out, for the front ends to name: a link not followed, a
//! remote key that cannot become a local file.

use serde::Serialize;

/// Something a folder transfer left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The local path or remote path, as a person reads it.
    pub name: String,
    /// Why, for people.
    pub reason: String,
}

//! What front ends show about the signed-in person.

use std::time::SystemTime;

use serde::Serialize;
use time::OffsetDateTime;

use super::Live;
use crate::config::Profile;

/// The signed-in person: no secrets, safe to print, log or send to a UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    /// The signed-in person's email, when the id token carries one.
    pub email: Option<String>,
    /// Names the person in the identity pool, and their folder.
    pub identity_id: String,
    /// The key prefix of their folder (the profile's folder template filled in).
    pub folder: String,
    /// The bucket the folder lies in.
    pub bucket: String,
    /// When the current AWS credentials expire, once some were issued.
    #[serde(with = "time::serde::rfc3339::option")]
    pub credentials_expiry: Option<OffsetDateTime>,
}

impl SessionInfo {
    pub(super) fn new(profile: &Profile, live: &Live, expiry: Option<SystemTime>) -> Self {
        Self {
            email: live.claims.email.clone(),
            identity_id: live.identity_id.clone(),
            folder: profile.folder.for_identity(&live.identity_id),
            bucket: profile.bucket.clone(),
            credentials_expiry: expiry.map(OffsetDateTime::from),
        }
    }
}

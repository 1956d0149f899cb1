//! The config as written in the file: plain strings, which `validate` checks into the types.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use url::Url;

use super::types::{Config, Endpoints, Profile};

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) default_profile: Option<String>,
    #[serde(default)]
    pub(super) profiles: BTreeMap<String, RawProfile>,
}

/// The serialized shape of a profile: plain strings, checked by `validate::profile`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProfile {
    pub(super) region: String,
    pub(super) user_pool_id: String,
    pub(super) client_id: String,
    pub(super) hosted_ui: String,
    pub(super) identity_pool_id: String,
    pub(super) bucket: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) folder: Option<String>,
    pub(super) redirect: RawRedirects,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) sign_out_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) scopes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Endpoints::is_empty")]
    pub(super) endpoints: Endpoints,
}

/// `redirect = "..."` or `redirect = ["...", ...]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub(super) enum RawRedirects {
    One(String),
    Many(Vec<String>),
}

impl From<&Config> for RawConfig {
    fn from(config: &Config) -> Self {
        Self {
            default_profile: config.default_profile.clone(),
            profiles: config
                .profiles
                .iter()
                .map(|(name, profile)| (name.clone(), RawProfile::from(profile)))
                .collect(),
        }
    }
}

impl From<&Profile> for RawProfile {
    fn from(p: &Profile) -> Self {
        let redirects: Vec<String> = p.redirects.iter().map(|r| r.url().to_string()).collect();
        Self {
            region: p.region.clone(),
            user_pool_id: p.user_pool_id.clone(),
            client_id: p.client_id.clone(),
            hosted_ui: p.hosted_ui.to_string(),
            identity_pool_id: p.identity_pool_id.clone(),
            bucket: p.bucket.clone(),
            folder: Some(p.folder.as_str().to_owned()),
            redirect: match <[String; 1]>::try_from(redirects) {
                Ok([one]) => RawRedirects::One(one),
                Err(many) => RawRedirects::Many(many),
            },
            sign_out_url: p.sign_out_url.as_ref().map(Url::to_string),
            scopes: Some(p.scopes.clone()),
            endpoints: p.endpoints.clone(),
        }
    }
}

/// A profile serializes as its config-file table (for `--json` output and scripts).
impl Serialize for Profile {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        RawProfile::from(self).serialize(serializer)
    }
}

//! Changes to a config's profiles, shared by `cubby profile` and the app's settings so that
//! both accept and refuse the same things in the same words.

use serde::{Deserialize, Serialize};

use super::raw::{RawProfile, RawRedirects};
use super::types::{Config, Endpoints, Profile};
use super::validate;
use crate::error::{Error, ErrorCode, Result};
use crate::secrets::session_key;

/// A profile as a person types it in a form: plain text, checked by [`ProfileDraft::check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDraft {
    /// The profile's name, `[profiles.NAME]`.
    pub name: String,
    /// See [`Profile::region`].
    pub region: String,
    /// See [`Profile::user_pool_id`].
    pub user_pool_id: String,
    /// See [`Profile::client_id`].
    pub client_id: String,
    /// See [`Profile::hosted_ui`].
    pub hosted_ui: String,
    /// See [`Profile::identity_pool_id`].
    pub identity_pool_id: String,
    /// See [`Profile::bucket`].
    pub bucket: String,
    /// See [`Profile::folder`].
    pub folder: String,
    /// See [`Profile::redirects`].
    pub redirects: Vec<String>,
    /// See [`Profile::sign_out_url`].
    pub sign_out_url: Option<String>,
}

impl ProfileDraft {
    /// The form filled in from a saved profile. Scopes and endpoints are not in the form; an
    /// edit keeps them from `previous`.
    pub fn from_profile(name: &str, profile: &Profile) -> Self {
        Self {
            name: name.to_owned(),
            region: profile.region.clone(),
            user_pool_id: profile.user_pool_id.clone(),
            client_id: profile.client_id.clone(),
            hosted_ui: profile.hosted_ui.to_string(),
            identity_pool_id: profile.identity_pool_id.clone(),
            bucket: profile.bucket.clone(),
            folder: profile.folder.as_str().to_owned(),
            redirects: profile
                .redirects
                .iter()
                .map(|r| r.url().to_string())
                .collect(),
            sign_out_url: profile.sign_out_url.as_ref().map(ToString::to_string),
        }
    }

    /// The checked profile, with the config file's messages for a bad value; scopes and
    /// endpoints come from `previous` (the profile being edited), or the defaults.
    pub fn check(self, previous: Option<&Profile>) -> Result<(String, Profile)> {
        let trimmed = |s: String| s.trim().to_owned();
        let raw = RawProfile {
            region: trimmed(self.region),
            user_pool_id: trimmed(self.user_pool_id),
            client_id: trimmed(self.client_id),
            hosted_ui: trimmed(self.hosted_ui),
            identity_pool_id: trimmed(self.identity_pool_id),
            bucket: trimmed(self.bucket),
            folder: Some(trimmed(self.folder)).filter(|f| !f.is_empty()),
            redirect: RawRedirects::Many(
                self.redirects
                    .into_iter()
                    .map(trimmed)
                    .filter(|r| !r.is_empty())
                    .collect(),
            ),
            sign_out_url: self.sign_out_url.map(trimmed).filter(|s| !s.is_empty()),
            scopes: previous.map(|p| p.scopes.clone()),
            endpoints: previous.map_or_else(Endpoints::default, |p| p.endpoints.clone()),
        };
        let name = self.name.trim().to_owned();
        let profile = validate::named_profile(&name, raw)?;
        Ok((name, profile))
    }
}

impl Config {
    /// The one `[profiles.NAME]` table a profile file holds (what `cubby profile add --from`
    /// and the app's Import read), with its name; `source` names the file in messages.
    pub fn single_profile(text: &str, source: &str) -> Result<(String, Profile)> {
        let config = Self::parse(text).map_err(|err| err.prefixed(source))?;
        let mut profiles = config.profiles.into_iter();
        match (profiles.next(), profiles.next()) {
            (Some(named), None) => Ok(named),
            _ => Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!("{source} must hold exactly one [profiles.NAME] table"),
            )),
        }
    }

    /// Adds `profile` as `name`, replacing one of that name only when `replace`.
    pub fn insert_profile(&mut self, name: &str, profile: Profile, replace: bool) -> Result<()> {
        validate::check_profile_name(name)?;
        if !replace && self.profiles.contains_key(name) {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!(
                    "a profile named '{name}' already exists; choose another name, or replace it (`cubby profile add --force`)"
                ),
            ));
        }
        self.profiles.insert(name.to_owned(), profile);
        Ok(())
    }

    /// Removes the profile `name`. Returns the keyring key its saved session lives under when
    /// no other profile shares that session, for the caller to forget it.
    pub fn remove_profile(&mut self, name: &str) -> Result<Option<String>> {
        let (_, profile) = self.profile(Some(name))?;
        let key = session_key(profile);
        let shared = self
            .profiles
            .iter()
            .any(|(other, profile)| other != name && session_key(profile) == key);
        self.profiles.remove(name);
        if self.default_profile.as_deref() == Some(name) {
            self.default_profile = None;
        }
        Ok((!shared).then_some(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::sample::GOOD;

    #[test]
    fn a_draft_round_trips_and_keeps_what_the_form_does_not_show() {
        let config = Config::parse(GOOD).unwrap();
        let local = &config.profiles["local"];
        let mut draft = ProfileDraft::from_profile("local", local);
        draft.name = " renamed ".to_owned();
        let (name, checked) = draft.check(Some(local)).unwrap();
        assert_eq!(name, "renamed");
        assert_eq!(&checked, local, "scopes and endpoints kept");
    }

    #[test]
    fn bad_drafts_get_the_config_files_messages() {
        let config = Config::parse(GOOD).unwrap();
        let mut draft = ProfileDraft::from_profile("work", &config.profiles["work"]);
        draft.bucket = "Not_A_Bucket".to_owned();
        let err = draft.clone().check(None).unwrap_err();
        assert_eq!(err.code, ErrorCode::ConfigInvalid);
        assert!(err.message.contains("field `bucket`"), "{}", err.message);
        draft.bucket = "fine-bucket".to_owned();
        draft.name = "no spaces".to_owned();
        let err = draft.check(None).unwrap_err();
        assert!(err.message.contains("profile name"), "{}", err.message);
    }

    #[test]
    fn insert_refuses_a_taken_name_and_remove_keeps_a_shared_session() {
        let mut config = Config::parse(GOOD).unwrap();
        let work = config.profiles["work"].clone();
        let err = config
            .insert_profile("work", work.clone(), false)
            .unwrap_err();
        assert!(err.message.contains("already exists"), "{}", err.message);
        config.insert_profile("work-copy", work, false).unwrap();
        assert_eq!(config.remove_profile("work").unwrap(), None, "shared");
        assert!(config.remove_profile("work-copy").unwrap().is_some());
        assert_eq!(config.default_profile, None);
        assert_eq!(
            config.remove_profile("gone").unwrap_err().code,
            ErrorCode::ConfigProfileNotFound
        );
    }

    #[test]
    fn a_profile_file_must_hold_exactly_one_profile() {
        let err = Config::single_profile(GOOD, "two.toml").unwrap_err();
        assert!(err.message.contains("exactly one"), "{}", err.message);
        let config = Config::parse(GOOD).unwrap();
        let one = config.profiles["work"].to_toml("work");
        let (name, profile) = Config::single_profile(&one, "one.toml").unwrap();
        assert_eq!(
            (name.as_str(), &profile),
            ("work", &config.profiles["work"])
        );
    }
}

//! Profiles: where a person's Cubby lives (user pool, app client, identity pool, bucket).
//!
//! One TOML file holds any number of `[profiles.NAME]` tables. The CLI, the desktop app,
//! localcloud (which prints the profile that reaches it) and the AWS setup all share this schema.
//! Every value is checked here, once, and a bad one is reported with the field, what is wrong
//! and an example of a good value.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, ErrorCode, Result};

/// The placeholder a folder template must contain exactly once.
pub const IDENTITY_ID_PLACEHOLDER: &str = "{identity_id}";
pub const DEFAULT_FOLDER: &str = "{identity_id}/";
pub const DEFAULT_SCOPES: [&str; 3] = ["openid", "email", "profile"];

/// The whole config file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Profile used when none is named.
    pub default_profile: Option<String>,
    pub profiles: BTreeMap<String, Profile>,
}

/// Everything needed to sign a person in and reach their folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub region: String,
    pub user_pool_id: String,
    pub client_id: String,
    /// Base URL of the hosted sign-in pages (`/oauth2/authorize`, `/logout`, ...).
    pub hosted_ui: Url,
    pub identity_pool_id: String,
    pub bucket: String,
    pub folder: FolderTemplate,
    /// Registered callbacks, tried in order: loopback ports and at most one deep link.
    pub redirects: Vec<Redirect>,
    pub scopes: Vec<String>,
    pub endpoints: Endpoints,
}

/// Overrides for targets other than AWS (localcloud, other S3 servers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Url>,
}

impl Endpoints {
    fn is_empty(&self) -> bool {
        self.identity.is_none() && self.s3.is_none() && self.issuer.is_none()
    }
}

/// A registered OAuth callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redirect {
    /// `http://localhost:PORT/PATH`, caught by a listener on the loopback interface.
    Loopback { url: Url, port: u16 },
    /// A custom-scheme URL (`cubby://auth/callback`) the OS hands to the app.
    DeepLink(Url),
}

impl Redirect {
    /// A loopback (`http://localhost:PORT/PATH`) or deep-link URL, or what is wrong with it.
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        parse_redirect(s)
    }

    pub fn url(&self) -> &Url {
        match self {
            Self::Loopback { url, .. } | Self::DeepLink(url) => url,
        }
    }
}

impl fmt::Display for Redirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.url().as_str())
    }
}

/// Where the person's folder sits in the bucket, e.g. `{identity_id}/` or `private/{identity_id}/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderTemplate(String);

impl FolderTemplate {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The folder (key prefix, ending in `/`) of one identity.
    pub fn for_identity(&self, identity_id: &str) -> String {
        self.0.replace(IDENTITY_ID_PLACEHOLDER, identity_id)
    }
}

impl Default for FolderTemplate {
    fn default() -> Self {
        Self(DEFAULT_FOLDER.to_owned())
    }
}

impl Profile {
    /// The token issuer: the user pool's URL on AWS, or the override.
    pub fn issuer(&self) -> Url {
        self.endpoints.issuer.clone().unwrap_or_else(|| {
            Url::parse(&format!(
                "https://cognito-idp.{}.amazonaws.com/{}",
                self.region, self.user_pool_id
            ))
            .expect("region and pool id were validated")
        })
    }

    /// The key of the `Logins` map for the identity pool: the issuer without its scheme.
    pub fn logins_key(&self) -> String {
        let issuer = self.issuer();
        let host = issuer.host_str().unwrap_or_default();
        let port = issuer.port().map(|p| format!(":{p}")).unwrap_or_default();
        format!("{host}{port}{}", issuer.path().trim_end_matches('/'))
    }

    pub fn loopback_redirects(&self) -> impl Iterator<Item = (&Url, u16)> {
        self.redirects.iter().filter_map(|r| match r {
            Redirect::Loopback { url, port } => Some((url, *port)),
            Redirect::DeepLink(_) => None,
        })
    }

    pub fn deep_link_redirect(&self) -> Option<&Url> {
        self.redirects.iter().find_map(|r| match r {
            Redirect::DeepLink(url) => Some(url),
            Redirect::Loopback { .. } => None,
        })
    }

    /// The hosted UI URL of one endpoint path, e.g. `oauth2/authorize`.
    pub fn hosted_ui_url(&self, path: &str) -> Url {
        let mut base = self.hosted_ui.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        base.join(path)
            .expect("a relative path joins onto a base URL")
    }

    /// This profile as the TOML table `[profiles.NAME]`, ready to paste into a config file.
    pub fn to_toml(&self, name: &str) -> String {
        let mut config = Config::default();
        config.profiles.insert(name.to_owned(), self.clone());
        config.to_toml()
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

/// The serialized shape of a profile: plain strings, checked by [`Profile::validate`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    region: String,
    user_pool_id: String,
    client_id: String,
    hosted_ui: String,
    identity_pool_id: String,
    bucket: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    folder: Option<String>,
    redirect: RawRedirects,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scopes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Endpoints::is_empty")]
    endpoints: Endpoints,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum RawRedirects {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default_profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, RawProfile>,
}

impl Config {
    /// The config file used when none is given: `config.toml` in the platform config directory.
    pub fn default_path() -> Result<PathBuf> {
        directories::ProjectDirs::from("app", "Cubby", "cubby")
            .map(|dirs| dirs.config_dir().join("config.toml"))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::ConfigNotFound,
                    "cannot find this user's config directory (is $HOME set?); pass --config FILE",
                )
            })
    }

    /// Reads a config file. A missing file is an empty config, so `profile add` can create it.
    pub fn load(path: &Path) -> Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text).map_err(|err| err.prefixed(path.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(err) => Err(Error::new(
                ErrorCode::Io,
                format!(
                    "cannot read config file {}: {err}; check its permissions",
                    path.display()
                ),
            )
            .with_source(err)),
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        let raw: RawConfig = toml::from_str(text).map_err(|err| {
            Error::new(
                ErrorCode::ConfigInvalid,
                format!("not a valid Cubby config: {}", err.to_string().trim_end()),
            )
        })?;
        let profiles = raw
            .profiles
            .into_iter()
            .map(|(name, raw)| {
                validate_profile_name(&name)?;
                Ok((name.clone(), Profile::validate(&name, raw)?))
            })
            .collect::<Result<BTreeMap<_, _>>>()?;
        if let Some(default) = &raw.default_profile
            && !profiles.contains_key(default)
        {
            return Err(invalid(
                "(top level)",
                "default_profile",
                format!("names profile '{default}', which is not in this file"),
                "default_profile = \"sandbox\" together with a [profiles.sandbox] table",
            ));
        }
        Ok(Self {
            default_profile: raw.default_profile,
            profiles,
        })
    }

    pub fn to_toml(&self) -> String {
        let raw = RawConfig {
            default_profile: self.default_profile.clone(),
            profiles: self
                .profiles
                .iter()
                .map(|(name, profile)| (name.clone(), RawProfile::from(profile)))
                .collect(),
        };
        toml::to_string_pretty(&raw).expect("a config always serializes")
    }

    /// Writes the file atomically: a crash never leaves a half-written config behind.
    pub fn save(&self, path: &Path) -> Result<()> {
        let io_error = |err: std::io::Error| {
            Error::new(
                ErrorCode::Io,
                format!("cannot write config file {}: {err}", path.display()),
            )
            .with_source(err)
        };
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = dir.unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(io_error)?;
        let tmp = dir.join(format!(
            ".{}.tmp-{}",
            path.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("config"),
            std::process::id()
        ));
        std::fs::write(&tmp, self.to_toml()).map_err(io_error)?;
        std::fs::rename(&tmp, path).map_err(|err| {
            let _ = std::fs::remove_file(&tmp);
            io_error(err)
        })
    }

    /// The named profile, else `default_profile`, else the only profile in the file.
    pub fn profile(&self, name: Option<&str>) -> Result<(&str, &Profile)> {
        let wanted = name.or(self.default_profile.as_deref());
        match wanted {
            Some(name) => self
                .profiles
                .get_key_value(name)
                .map(|(k, v)| (k.as_str(), v))
                .ok_or_else(|| {
                    let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
                    Error::new(
                        ErrorCode::ConfigProfileNotFound,
                        if known.is_empty() {
                            format!("no profile named '{name}': the config has no profiles yet; add one with `cubby profile add`")
                        } else {
                            format!(
                                "no profile named '{name}'; known profiles: {}",
                                known.join(", ")
                            )
                        },
                    )
                }),
            None => {
                let mut all = self.profiles.iter();
                match (all.next(), all.next()) {
                    (Some((name, profile)), None) => Ok((name.as_str(), profile)),
                    (None, _) => Err(Error::new(
                        ErrorCode::ConfigProfileNotFound,
                        "no profile configured; add one with `cubby profile add NAME --from FILE`",
                    )),
                    (Some(_), Some(_)) => Err(Error::new(
                        ErrorCode::ConfigProfileNotFound,
                        format!(
                            "several profiles configured ({}); choose one with --profile NAME or set default_profile",
                            self.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    )),
                }
            }
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
            scopes: Some(p.scopes.clone()),
            endpoints: p.endpoints.clone(),
        }
    }
}

fn invalid(profile: &str, field: &str, problem: impl fmt::Display, example: &str) -> Error {
    Error::new(
        ErrorCode::ConfigInvalid,
        format!("profile '{profile}', field `{field}`: {problem}; for example: {example}"),
    )
}

fn validate_profile_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::ConfigInvalid,
            format!(
                "profile name '{name}' is not allowed: use 1-64 letters, digits, '-' or '_', e.g. [profiles.work]"
            ),
        ))
    }
}

impl Profile {
    fn validate(name: &str, raw: RawProfile) -> Result<Self> {
        let bad =
            |field: &str, problem: String, example: &str| invalid(name, field, problem, example);

        if !is_region(&raw.region) {
            return Err(bad(
                "region",
                format!("'{}' is not an AWS region name", raw.region),
                "region = \"eu-west-1\"",
            ));
        }
        let pool_ok = raw
            .user_pool_id
            .split_once('_')
            .is_some_and(|(region, id)| {
                region == raw.region
                    && !id.is_empty()
                    && id.chars().all(|c| c.is_ascii_alphanumeric())
            });
        if !pool_ok {
            return Err(bad(
                "user_pool_id",
                format!(
                    "'{}' is not a user pool id of region {} (REGION_ID)",
                    raw.user_pool_id, raw.region
                ),
                &format!("user_pool_id = \"{}_AbC123xyz\"", raw.region),
            ));
        }
        let client_ok = (1..=128).contains(&raw.client_id.len())
            && raw
                .client_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+');
        if !client_ok {
            return Err(bad(
                "client_id",
                format!("'{}' is not an app client id", raw.client_id),
                "client_id = \"4jd8t1m2v9q0a7b3c5e6f8g2h1\"",
            ));
        }
        let hosted_ui = parse_web_url(&raw.hosted_ui).map_err(|problem| {
            bad(
                "hosted_ui",
                problem,
                "hosted_ui = \"https://myapp.auth.eu-west-1.amazoncognito.com\"",
            )
        })?;
        let identity_ok = raw
            .identity_pool_id
            .split_once(':')
            .is_some_and(|(region, guid)| region == raw.region && is_guid(guid));
        if !identity_ok {
            return Err(bad(
                "identity_pool_id",
                format!(
                    "'{}' is not an identity pool id of region {} (REGION:GUID)",
                    raw.identity_pool_id, raw.region
                ),
                &format!(
                    "identity_pool_id = \"{}:1b2c3d4e-0000-4000-8000-123456789abc\"",
                    raw.region
                ),
            ));
        }
        if !is_bucket_name(&raw.bucket) {
            return Err(bad(
                "bucket",
                format!(
                    "'{}' is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit)",
                    raw.bucket
                ),
                "bucket = \"cubby-files-example\"",
            ));
        }
        let folder = match raw.folder {
            None => FolderTemplate::default(),
            Some(folder) => {
                validate_folder(&folder).map_err(|problem| {
                    bad(
                        "folder",
                        problem,
                        "folder = \"{identity_id}/\" or folder = \"private/{identity_id}/\"",
                    )
                })?;
                FolderTemplate(folder)
            }
        };
        let redirect_strings = match raw.redirect {
            RawRedirects::One(one) => vec![one],
            RawRedirects::Many(many) => many,
        };
        let redirect_example = "redirect = [\"http://localhost:53682/callback\", \"http://localhost:53683/callback\"] or redirect = \"cubby://auth/callback\"";
        if redirect_strings.is_empty() {
            return Err(bad(
                "redirect",
                "no callback URL given".to_owned(),
                redirect_example,
            ));
        }
        let redirects = redirect_strings
            .iter()
            .map(|s| {
                parse_redirect(s).map_err(|problem| bad("redirect", problem, redirect_example))
            })
            .collect::<Result<Vec<_>>>()?;
        if redirects
            .iter()
            .filter(|r| matches!(r, Redirect::DeepLink(_)))
            .count()
            > 1
        {
            return Err(bad(
                "redirect",
                "more than one deep-link URL; the app registers a single scheme".to_owned(),
                redirect_example,
            ));
        }
        let scopes = raw
            .scopes
            .unwrap_or_else(|| DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect());
        if let Some(scope) = scopes
            .iter()
            .find(|s| s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(bad(
                "scopes",
                format!("scope '{scope}' is empty or contains spaces"),
                "scopes = [\"openid\", \"email\", \"profile\"]",
            ));
        }
        if !scopes.iter().any(|s| s == "openid") {
            return Err(bad(
                "scopes",
                "must include \"openid\": without it Cognito returns no id token".to_owned(),
                "scopes = [\"openid\", \"email\", \"profile\"]",
            ));
        }
        for (field, url) in [
            ("endpoints.identity", &raw.endpoints.identity),
            ("endpoints.s3", &raw.endpoints.s3),
            ("endpoints.issuer", &raw.endpoints.issuer),
        ] {
            if let Some(url) = url {
                check_web_url(url)
                    .map_err(|problem| bad(field, problem, "s3 = \"http://127.0.0.1:9000\""))?;
            }
        }
        Ok(Self {
            region: raw.region,
            user_pool_id: raw.user_pool_id,
            client_id: raw.client_id,
            hosted_ui,
            identity_pool_id: raw.identity_pool_id,
            bucket: raw.bucket,
            folder,
            redirects,
            scopes,
            endpoints: raw.endpoints,
        })
    }
}

fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn is_bucket_name(s: &str) -> bool {
    let bytes = s.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-')
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && !s.contains("..")
}

fn validate_folder(folder: &str) -> std::result::Result<(), String> {
    if folder.matches(IDENTITY_ID_PLACEHOLDER).count() != 1 {
        return Err(format!(
            "'{folder}' must contain {IDENTITY_ID_PLACEHOLDER} exactly once, so each person gets their own folder"
        ));
    }
    if !folder.ends_with("/") {
        return Err(format!("'{folder}' must end with '/'"));
    }
    let rest = folder.replace(IDENTITY_ID_PLACEHOLDER, "x");
    if rest.starts_with('/')
        || rest.contains("//")
        || rest.contains(['{', '}', '\\'])
        || rest.split('/').any(|seg| seg == "." || seg == "..")
        || rest.chars().any(char::is_control)
    {
        return Err(format!(
            "'{folder}' must be a relative path of plain segments (no leading '/', '//', '.', '..', braces or backslashes)"
        ));
    }
    Ok(())
}

fn is_loopback_host(url: &Url) -> bool {
    matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

/// An `https` URL, or `http` on a loopback host (local test servers).
fn check_web_url(url: &Url) -> std::result::Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback_host(url) => Ok(()),
        "http" => Err(format!(
            "'{url}' uses plain http on a host that is not loopback; use https"
        )),
        other => Err(format!("'{url}' has scheme '{other}'; use https")),
    }
}

fn parse_web_url(s: &str) -> std::result::Result<Url, String> {
    let url = Url::parse(s).map_err(|err| format!("'{s}' is not a URL ({err})"))?;
    check_web_url(&url)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("'{s}' must not have a query or fragment"));
    }
    Ok(url)
}

fn parse_redirect(s: &str) -> std::result::Result<Redirect, String> {
    let url = Url::parse(s).map_err(|err| format!("'{s}' is not a URL ({err})"))?;
    if url.fragment().is_some() {
        return Err(format!("'{s}' must not have a fragment"));
    }
    match url.scheme() {
        "http" => {
            if url.host_str() != Some("localhost") {
                return Err(format!(
                    "'{s}': a loopback callback must use the host 'localhost' (Cognito allows plain http only for localhost)"
                ));
            }
            let port = url
                .port()
                .ok_or_else(|| format!("'{s}': a loopback callback needs an explicit port"))?;
            Ok(Redirect::Loopback { url, port })
        }
        "https" => Err(format!(
            "'{s}': an https callback cannot be received by a desktop app; use http://localhost:PORT/PATH or a custom scheme"
        )),
        _ => Ok(Redirect::DeepLink(url)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
default_profile = "work"

[profiles.work]
region = "eu-west-1"
user_pool_id = "eu-west-1_AbC123xyz"
client_id = "4jd8t1m2v9q0a7b3c5e6f8g2h1"
hosted_ui = "https://myapp.auth.eu-west-1.amazoncognito.com"
identity_pool_id = "eu-west-1:1b2c3d4e-0000-4000-8000-123456789abc"
bucket = "cubby-files"
redirect = ["http://localhost:53682/callback", "cubby://auth/callback"]

[profiles.local]
region = "us-east-1"
user_pool_id = "us-east-1_local"
client_id = "abc"
hosted_ui = "http://127.0.0.1:4566"
identity_pool_id = "us-east-1:1b2c3d4e-0000-4000-8000-123456789abc"
bucket = "cubby"
folder = "private/{identity_id}/"
redirect = "http://localhost:53682/callback"
scopes = ["openid", "email"]

[profiles.local.endpoints]
issuer = "http://127.0.0.1:4566/us-east-1_local"
s3 = "http://127.0.0.1:4566"
identity = "http://127.0.0.1:4566/"
"#;

    fn with_field(field: &str, value: &str) -> String {
        GOOD.lines()
            .map(|line| {
                if line.starts_with(&format!("{field} = ")) {
                    format!("{field} = {value}")
                } else {
                    line.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn parses_good_config_with_defaults() {
        let config = Config::parse(GOOD).unwrap();
        let (name, work) = config.profile(None).unwrap();
        assert_eq!(name, "work");
        assert_eq!(work.folder.for_identity("eu-west-1:42"), "eu-west-1:42/");
        assert_eq!(work.scopes, ["openid", "email", "profile"]);
        assert_eq!(
            work.logins_key(),
            "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz"
        );
        assert_eq!(
            work.loopback_redirects()
                .map(|(_, p)| p)
                .collect::<Vec<_>>(),
            [53682]
        );
        assert_eq!(
            work.deep_link_redirect().map(Url::as_str),
            Some("cubby://auth/callback")
        );
        assert_eq!(
            work.hosted_ui_url("oauth2/authorize").as_str(),
            "https://myapp.auth.eu-west-1.amazoncognito.com/oauth2/authorize"
        );
        let local = &config.profiles["local"];
        assert_eq!(local.logins_key(), "127.0.0.1:4566/us-east-1_local");
        assert_eq!(
            local.folder.for_identity("us-east-1:7"),
            "private/us-east-1:7/"
        );
    }

    #[test]
    fn round_trips_through_toml() {
        let config = Config::parse(GOOD).unwrap();
        assert_eq!(Config::parse(&config.to_toml()).unwrap(), config);
        let single = config.profiles["local"].to_toml("sandbox");
        let reparsed = Config::parse(&single).unwrap();
        assert_eq!(reparsed.profiles["sandbox"], config.profiles["local"]);
    }

    #[test]
    fn bad_values_name_field_and_example() {
        let cases = [
            ("region", "\"Europe\"", "field `region`"),
            ("user_pool_id", "\"us-east-1_AbC\"", "field `user_pool_id`"),
            ("client_id", "\"has space\"", "field `client_id`"),
            ("hosted_ui", "\"http://example.com\"", "plain http"),
            (
                "identity_pool_id",
                "\"eu-west-1:nope\"",
                "field `identity_pool_id`",
            ),
            ("bucket", "\"My_Bucket\"", "field `bucket`"),
            (
                "redirect",
                "\"http://127.0.0.1:53682/cb\"",
                "host 'localhost'",
            ),
            ("redirect", "\"http://localhost/cb\"", "explicit port"),
            ("redirect", "[]", "no callback URL"),
            (
                "redirect",
                "[\"a://x\", \"b://y\"]",
                "more than one deep-link",
            ),
        ];
        for (field, value, expected) in cases {
            let err = Config::parse(&with_field(field, value)).unwrap_err();
            assert_eq!(err.code, ErrorCode::ConfigInvalid, "{field}={value}");
            assert!(
                err.message.contains(expected),
                "{field}={value}: {}",
                err.message
            );
            assert!(err.message.contains("for example"), "{}", err.message);
        }
    }

    #[test]
    fn folder_and_scopes_rules() {
        for folder in [
            "\"shared/\"",
            "\"{identity_id}\"",
            "\"/{identity_id}/\"",
            "\"../{identity_id}/\"",
            "\"{identity_id}/{identity_id}/\"",
        ] {
            let text = GOOD.replace(
                "folder = \"private/{identity_id}/\"",
                &format!("folder = {folder}"),
            );
            let err = Config::parse(&text).unwrap_err();
            assert!(
                err.message.contains("field `folder`"),
                "{folder}: {}",
                err.message
            );
        }
        let text = GOOD.replace("scopes = [\"openid\", \"email\"]", "scopes = [\"email\"]");
        assert!(Config::parse(&text).unwrap_err().message.contains("openid"));
    }

    #[test]
    fn unknown_fields_and_profiles_are_reported() {
        let err =
            Config::parse(&GOOD.replace("bucket = \"cubby\"", "bucket = \"cubby\"\nbukket = 1"))
                .unwrap_err();
        assert!(err.message.contains("bukket"), "{}", err.message);
        let config = Config::parse(GOOD).unwrap();
        let err = config.profile(Some("nope")).unwrap_err();
        assert_eq!(err.code, ErrorCode::ConfigProfileNotFound);
        assert!(err.message.contains("local, work"), "{}", err.message);
        let err = Config::parse(
            &GOOD.replace("default_profile = \"work\"", "default_profile = \"gone\""),
        )
        .unwrap_err();
        assert!(err.message.contains("default_profile"), "{}", err.message);
    }

    #[test]
    fn save_is_atomic_and_load_of_missing_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        assert_eq!(Config::load(&path).unwrap(), Config::default());
        let config = Config::parse(GOOD).unwrap();
        config.save(&path).unwrap();
        assert_eq!(Config::load(&path).unwrap(), config);
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
        std::fs::write(&path, "profiles = 3").unwrap();
        let err = Config::load(&path).unwrap_err();
        assert!(
            err.message.starts_with(&path.display().to_string()),
            "{}",
            err.message
        );
    }
}

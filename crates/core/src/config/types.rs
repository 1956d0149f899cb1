//! The checked config: every value here passed `validate`, so users of a profile need not
//! check again.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, ErrorCode, Result};

/// The placeholder a folder template must contain exactly once.
pub const IDENTITY_ID_PLACEHOLDER: &str = "{identity_id}";
/// The folder template of a profile that names none: the identity's own top-level folder.
pub const DEFAULT_FOLDER: &str = "{identity_id}/";
/// The scopes asked for when a profile names none.
pub const DEFAULT_SCOPES: [&str; 3] = ["openid", "email", "profile"];

/// The whole config file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Profile used when none is named.
    pub default_profile: Option<String>,
    /// Every profile, by name.
    pub profiles: BTreeMap<String, Profile>,
}

/// Everything needed to sign a person in and reach their folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The AWS region of the user pool and identity pool, e.g. `eu-west-1`.
    pub region: String,
    /// The Cognito user pool people sign in to, `REGION_ID`.
    pub user_pool_id: String,
    /// The user pool's app client this app signs in as.
    pub client_id: String,
    /// Base URL of the hosted sign-in pages (`/oauth2/authorize`, `/logout`, ...).
    pub hosted_ui: Url,
    /// The identity pool that trades an id token for AWS credentials, `REGION:GUID`.
    pub identity_pool_id: String,
    /// The bucket holding everyone's folders.
    pub bucket: String,
    /// Where in the bucket each person's folder is.
    pub folder: FolderTemplate,
    /// Registered callbacks, tried in order: loopback ports and at most one deep link.
    pub redirects: Vec<Redirect>,
    /// Where the hosted sign-out sends the browser afterwards (a registered sign-out URL of
    /// the app client): `http://localhost:PORT/PATH`, which Cubby answers with a signed-out
    /// page, or a deep link. Without it, the sibling `signed-out` of the first callback.
    pub sign_out_url: Option<Url>,
    /// OAuth scopes asked for at sign-in; always includes `openid`.
    pub scopes: Vec<String>,
    /// Where to reach the services when not on AWS.
    pub endpoints: Endpoints,
}

/// Overrides for targets other than AWS (localcloud, other S3 servers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    /// The Cognito Identity API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Url>,
    /// The S3 API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<Url>,
    /// The token issuer (`iss` of the id tokens), when it is not the user pool's AWS URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Url>,
    /// Where the issuer's OpenID discovery document is served, when not under the issuer
    /// itself (a local sandbox keeps one issuer name whatever port it listens on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery: Option<Url>,
}

impl Endpoints {
    pub(super) fn is_empty(&self) -> bool {
        self.identity.is_none()
            && self.s3.is_none()
            && self.issuer.is_none()
            && self.discovery.is_none()
    }
}

/// A registered OAuth callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redirect {
    /// `http://localhost:PORT/PATH`, caught by a listener on the loopback interface.
    Loopback {
        /// The whole callback URL.
        url: Url,
        /// Its port, where the listener waits.
        port: u16,
    },
    /// A custom-scheme URL (`cubby://auth/callback`) the OS hands to the app.
    DeepLink(Url),
}

impl Redirect {
    /// A loopback (`http://localhost:PORT/PATH`) or deep-link URL, or what is wrong with it.
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
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
                Ok(Self::Loopback { url, port })
            }
            "https" => Err(format!(
                "'{s}': an https callback cannot be received by a desktop app; use http://localhost:PORT/PATH or a custom scheme"
            )),
            _ => Ok(Self::DeepLink(url)),
        }
    }

    /// The callback URL as registered with the app client.
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
pub struct FolderTemplate(pub(super) String);

impl FolderTemplate {
    /// The template as written, with its placeholder.
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

    /// The issuer's OpenID discovery document (which names the signing keys).
    pub fn discovery_url(&self) -> Url {
        self.endpoints.discovery.clone().unwrap_or_else(|| {
            let issuer = self.issuer();
            Url::parse(&format!(
                "{}/.well-known/openid-configuration",
                issuer.as_str().trim_end_matches('/')
            ))
            .expect("an issuer URL with a path appended is a URL")
        })
    }

    /// The key of the `Logins` map for the identity pool: the issuer without its scheme.
    pub fn logins_key(&self) -> String {
        let issuer = self.issuer();
        let host = issuer.host_str().unwrap_or_default();
        let port = issuer.port().map(|p| format!(":{p}")).unwrap_or_default();
        format!("{host}{port}{}", issuer.path().trim_end_matches('/'))
    }

    /// The loopback callbacks with their ports, in order of preference.
    pub fn loopback_redirects(&self) -> impl Iterator<Item = (&Url, u16)> {
        self.redirects.iter().filter_map(|r| match r {
            Redirect::Loopback { url, port } => Some((url, *port)),
            Redirect::DeepLink(_) => None,
        })
    }

    /// The deep-link callback, if one is registered.
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
}

impl Config {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::sample::GOOD;

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
    fn unknown_profiles_are_reported() {
        let config = Config::parse(GOOD).unwrap();
        let err = config.profile(Some("nope")).unwrap_err();
        assert_eq!(err.code, ErrorCode::ConfigProfileNotFound);
        assert!(err.message.contains("local, work"), "{}", err.message);
    }
}

//! From the file's plain strings to the checked types. Each field has a small check that says
//! what is wrong with a value; `profile` runs them in the order the fields are written and
//! reports the first problem with the profile, the field and an example of a good value.

use std::collections::BTreeMap;
use std::fmt;

use url::Url;

use super::raw::{RawConfig, RawProfile, RawRedirects};
use super::types::{
    Config, DEFAULT_SCOPES, Endpoints, FolderTemplate, IDENTITY_ID_PLACEHOLDER, Profile, Redirect,
};
use crate::error::{Error, ErrorCode, Result};

/// What a field check says is wrong, in words for the person who wrote the value.
type Checked<T> = std::result::Result<T, String>;

const REDIRECT_EXAMPLE: &str = "redirect = [\"http://localhost:53682/callback\", \"http://localhost:53683/callback\"] or redirect = \"cubby://auth/callback\"";

/// The checked config: each profile's name and values, then that `default_profile` names one.
pub(super) fn config(raw: RawConfig) -> Result<Config> {
    let profiles = raw
        .profiles
        .into_iter()
        .map(|(name, raw)| {
            check_profile_name(&name)?;
            Ok((name.clone(), profile(&name, raw)?))
        })
        .collect::<Result<BTreeMap<_, _>>>()?;
    if let Some(default) = &raw.default_profile {
        check_default_profile(default, &profiles)?;
    }
    Ok(Config {
        default_profile: raw.default_profile,
        profiles,
    })
}

fn profile(name: &str, raw: RawProfile) -> Result<Profile> {
    let region = &raw.region;
    check_region(region).map_err(in_field(name, "region", "region = \"eu-west-1\""))?;
    check_user_pool_id(&raw.user_pool_id, region).map_err(in_field(
        name,
        "user_pool_id",
        &format!("user_pool_id = \"{region}_AbC123xyz\""),
    ))?;
    check_client_id(&raw.client_id).map_err(in_field(
        name,
        "client_id",
        "client_id = \"4jd8t1m2v9q0a7b3c5e6f8g2h1\"",
    ))?;
    let hosted_ui = parse_web_url(&raw.hosted_ui).map_err(in_field(
        name,
        "hosted_ui",
        "hosted_ui = \"https://myapp.auth.eu-west-1.amazoncognito.com\"",
    ))?;
    check_identity_pool_id(&raw.identity_pool_id, region).map_err(in_field(
        name,
        "identity_pool_id",
        &format!("identity_pool_id = \"{region}:1b2c3d4e-0000-4000-8000-123456789abc\""),
    ))?;
    check_bucket(&raw.bucket).map_err(in_field(
        name,
        "bucket",
        "bucket = \"cubby-files-example\"",
    ))?;
    let folder = parse_folder(raw.folder).map_err(in_field(
        name,
        "folder",
        "folder = \"{identity_id}/\" or folder = \"private/{identity_id}/\"",
    ))?;
    let redirects =
        parse_redirects(raw.redirect).map_err(in_field(name, "redirect", REDIRECT_EXAMPLE))?;
    let sign_out_url = raw
        .sign_out_url
        .as_deref()
        .map(parse_sign_out_url)
        .transpose()
        .map_err(in_field(
            name,
            "sign_out_url",
            "sign_out_url = \"http://localhost:53682/signed-out\"",
        ))?;
    let scopes = parse_scopes(raw.scopes).map_err(in_field(
        name,
        "scopes",
        "scopes = [\"openid\", \"email\", \"profile\"]",
    ))?;
    check_endpoints(name, &raw.endpoints)?;
    Ok(Profile {
        region: raw.region,
        user_pool_id: raw.user_pool_id,
        client_id: raw.client_id,
        hosted_ui,
        identity_pool_id: raw.identity_pool_id,
        bucket: raw.bucket,
        folder,
        redirects,
        sign_out_url,
        scopes,
        endpoints: raw.endpoints,
    })
}

fn invalid(profile: &str, field: &str, problem: impl fmt::Display, example: &str) -> Error {
    Error::new(
        ErrorCode::ConfigInvalid,
        format!("profile '{profile}', field `{field}`: {problem}; for example: {example}"),
    )
}

/// A field check's problem as the config error: profile, field, problem, good example.
fn in_field<'a>(
    profile: &'a str,
    field: &'a str,
    example: &'a str,
) -> impl FnOnce(String) -> Error + 'a {
    move |problem| invalid(profile, field, problem, example)
}

/// A profile under `name`, every value checked, the name too (for profiles made outside a file).
pub(super) fn named_profile(name: &str, raw: RawProfile) -> Result<Profile> {
    check_profile_name(name)?;
    profile(name, raw)
}

pub(super) fn check_profile_name(name: &str) -> Result<()> {
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

fn check_default_profile(default: &str, profiles: &BTreeMap<String, Profile>) -> Result<()> {
    if profiles.contains_key(default) {
        Ok(())
    } else {
        Err(invalid(
            "(top level)",
            "default_profile",
            format!("names profile '{default}', which is not in this file"),
            "default_profile = \"sandbox\" together with a [profiles.sandbox] table",
        ))
    }
}

/// `eu-west-1`, `us-gov-east-1`: lowercase words, then a number.
fn check_region(region: &str) -> Checked<()> {
    let parts: Vec<&str> = region.split('-').collect();
    let ok = parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty();
    if ok {
        Ok(())
    } else {
        Err(format!("'{region}' is not an AWS region name"))
    }
}

fn check_user_pool_id(id: &str, region: &str) -> Checked<()> {
    let ok = id.split_once('_').is_some_and(|(pool_region, rest)| {
        pool_region == region && !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric())
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{id}' is not a user pool id of region {region} (REGION_ID)"
        ))
    }
}

fn check_client_id(id: &str) -> Checked<()> {
    let ok = (1..=128).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+');
    if ok {
        Ok(())
    } else {
        Err(format!("'{id}' is not an app client id"))
    }
}

fn check_identity_pool_id(id: &str, region: &str) -> Checked<()> {
    let ok = id
        .split_once(':')
        .is_some_and(|(pool_region, guid)| pool_region == region && is_guid(guid));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{id}' is not an identity pool id of region {region} (REGION:GUID)"
        ))
    }
}

fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn check_bucket(bucket: &str) -> Checked<()> {
    let bytes = bucket.as_bytes();
    let ok = (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-')
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && !bucket.contains("..");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{bucket}' is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit)"
        ))
    }
}

/// The default folder when none is written.
fn parse_folder(folder: Option<String>) -> Checked<FolderTemplate> {
    match folder {
        None => Ok(FolderTemplate::default()),
        Some(folder) => {
            check_folder(&folder)?;
            Ok(FolderTemplate(folder))
        }
    }
}

fn check_folder(folder: &str) -> Checked<()> {
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

/// At least one callback, and at most one deep link.
fn parse_redirects(raw: RawRedirects) -> Checked<Vec<Redirect>> {
    let strings = match raw {
        RawRedirects::One(one) => vec![one],
        RawRedirects::Many(many) => many,
    };
    if strings.is_empty() {
        return Err("no callback URL given".to_owned());
    }
    let redirects = strings
        .iter()
        .map(|s| Redirect::parse(s))
        .collect::<Checked<Vec<_>>>()?;
    if redirects
        .iter()
        .filter(|r| matches!(r, Redirect::DeepLink(_)))
        .count()
        > 1
    {
        return Err("more than one deep-link URL; the app registers a single scheme".to_owned());
    }
    Ok(redirects)
}

/// The default scopes when none are written; `openid` is required.
fn parse_scopes(scopes: Option<Vec<String>>) -> Checked<Vec<String>> {
    let scopes = scopes.unwrap_or_else(|| DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect());
    if let Some(scope) = scopes
        .iter()
        .find(|s| s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        return Err(format!("scope '{scope}' is empty or contains spaces"));
    }
    if !scopes.iter().any(|s| s == "openid") {
        return Err("must include \"openid\": without it Cognito returns no id token".to_owned());
    }
    Ok(scopes)
}

fn check_endpoints(profile: &str, endpoints: &Endpoints) -> Result<()> {
    for (field, url) in [
        ("endpoints.identity", &endpoints.identity),
        ("endpoints.s3", &endpoints.s3),
        ("endpoints.issuer", &endpoints.issuer),
        ("endpoints.discovery", &endpoints.discovery),
    ] {
        if let Some(url) = url {
            check_web_url(url).map_err(in_field(
                profile,
                field,
                "s3 = \"http://127.0.0.1:9000\"",
            ))?;
        }
    }
    Ok(())
}

/// A loopback or deep-link address like a callback's, or a web page on `https`.
fn parse_sign_out_url(s: &str) -> Checked<Url> {
    match Redirect::parse(s) {
        Ok(redirect) => Ok(redirect.url().clone()),
        Err(_) if s.starts_with("https://") => parse_web_url(s),
        Err(problem) => Err(problem),
    }
}

fn parse_web_url(s: &str) -> Checked<Url> {
    let url = Url::parse(s).map_err(|err| format!("'{s}' is not a URL ({err})"))?;
    check_web_url(&url)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("'{s}' must not have a query or fragment"));
    }
    Ok(url)
}

/// An `https` URL, or `http` on a loopback host (local test servers).
fn check_web_url(url: &Url) -> Checked<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback_host(url) => Ok(()),
        "http" => Err(format!(
            "'{url}' uses plain http on a host that is not loopback; use https"
        )),
        other => Err(format!("'{url}' has scheme '{other}'; use https")),
    }
}

fn is_loopback_host(url: &Url) -> bool {
    matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::config::sample::{GOOD, with_field};
    use crate::error::ErrorCode;

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
            (
                "sign_out_url",
                "\"http://localhost/signed-out\"",
                "field `sign_out_url`",
            ),
            ("sign_out_url", "\"http://example.com/bye\"", "sign_out_url"),
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
    fn default_profile_must_name_a_profile_of_the_file() {
        let err = Config::parse(
            &GOOD.replace("default_profile = \"work\"", "default_profile = \"gone\""),
        )
        .unwrap_err();
        assert!(err.message.contains("default_profile"), "{}", err.message);
    }
}

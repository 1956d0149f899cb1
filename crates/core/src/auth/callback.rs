//! Reading the redirect the hosted UI sends back: `?code=..&state=..` or `?error=..`.

use oauth2::AuthorizationCode;
use subtle::ConstantTimeEq;
use url::Url;

use crate::error::{Error, ErrorCode, Result};

/// The longest piece of the sign-in service's text (`error`, `error_description`) shown.
const PROVIDER_TEXT_LIMIT: usize = 200;

/// The authorization code in a callback URL, after checking it answers the request whose
/// `state` is `expected_state`. The state is checked first: an answer without it, an error
/// included, belongs to no sign-in of this app and completes nothing.
pub fn authorization_code(callback: &Url, expected_state: &str) -> Result<AuthorizationCode> {
    let param = |name: &str| {
        callback
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    if !state_matches(param("state").as_deref(), expected_state) {
        return Err(state_mismatch());
    }
    if let Some(error) = param("error") {
        let description = provider_text(&param("error_description").unwrap_or_default());
        return Err(match error.as_str() {
            "access_denied" => Error::new(
                ErrorCode::AuthCancelled,
                "sign-in was cancelled in the browser; sign in again when you are ready",
            ),
            _ => Error::new(
                ErrorCode::AuthProviderError,
                format!(
                    "the sign-in page answered '{}'{}; check the profile's client id, scopes and callback URLs",
                    provider_text(&error),
                    if description.is_empty() {
                        String::new()
                    } else {
                        format!(" ({description})")
                    }
                ),
            ),
        });
    }
    match param("code") {
        Some(code) if !code.is_empty() => Ok(AuthorizationCode::new(code)),
        _ => Err(Error::new(
            ErrorCode::AuthCallbackInvalid,
            "the sign-in answer has no authorization code; sign in again",
        )),
    }
}

/// Whether a callback's `state` is the expected one. Compared in constant time, so how long
/// a refusal takes tells a guesser nothing about how much of the guess was right.
pub(crate) fn state_matches(presented: Option<&str>, expected: &str) -> bool {
    presented.is_some_and(|state| state.as_bytes().ct_eq(expected.as_bytes()).into())
}

/// Text from the sign-in service made safe to show on a terminal, in a page or in the app:
/// each run of control characters (escape sequences, line breaks) and of bidirectional
/// overrides becomes one space, and the text is cut at [`PROVIDER_TEXT_LIMIT`] characters.
pub(crate) fn provider_text(text: &str) -> String {
    let mut shown = String::new();
    let mut after_control = false;
    for c in text.chars().take(PROVIDER_TEXT_LIMIT) {
        let hidden =
            c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if !hidden {
            shown.push(c);
        } else if !after_control {
            shown.push(' ');
        }
        after_control = hidden;
    }
    shown.trim().to_owned()
}

fn state_mismatch() -> Error {
    Error::new(
        ErrorCode::AuthStateMismatch,
        "the sign-in answer does not belong to the sign-in in progress (state mismatch); it was ignored, sign in again",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str) -> Result<AuthorizationCode> {
        let url = Url::parse(&format!("http://localhost:53682/callback?{query}")).unwrap();
        authorization_code(&url, "s1")
    }

    #[test]
    fn accepts_code_with_matching_state() {
        assert_eq!(check("code=abc&state=s1").unwrap().secret(), "abc");
    }

    #[test]
    fn each_bad_answer_has_its_code() {
        let cases = [
            ("code=abc&state=s2", ErrorCode::AuthStateMismatch),
            ("code=abc", ErrorCode::AuthStateMismatch),
            ("code=abc&state=", ErrorCode::AuthStateMismatch),
            ("code=abc&state=s1x", ErrorCode::AuthStateMismatch),
            ("state=s1", ErrorCode::AuthCallbackInvalid),
            ("code=&state=s1", ErrorCode::AuthCallbackInvalid),
            ("error=access_denied&state=s1", ErrorCode::AuthCancelled),
            ("error=access_denied", ErrorCode::AuthStateMismatch),
            (
                "error=access_denied&state=other",
                ErrorCode::AuthStateMismatch,
            ),
            (
                "error=invalid_scope&error_description=bad+scope&state=s1",
                ErrorCode::AuthProviderError,
            ),
        ];
        for (query, code) in cases {
            assert_eq!(check(query).unwrap_err().code, code, "{query}");
        }
        let err = check("error=invalid_scope&error_description=bad+scope&state=s1").unwrap_err();
        assert!(
            err.message.contains("invalid_scope (bad scope)")
                || err.message.contains("'invalid_scope' (bad scope)"),
            "{}",
            err.message
        );
    }

    #[test]
    fn provider_text_loses_control_characters_and_length() {
        assert_eq!(
            provider_text("\u{1b}[31mred\r\n\tline\u{7}\u{202e}txt.exe"),
            "[31mred line txt.exe"
        );
        assert_eq!(provider_text(&"x".repeat(500)).len(), PROVIDER_TEXT_LIMIT);
        assert_eq!(provider_text("plain words"), "plain words");
    }
}

//! Reading the redirect the hosted UI sends back: `?code=..&state=..` or `?error=..`.

use oauth2::AuthorizationCode;
use url::Url;

use crate::error::{Error, ErrorCode, Result};

/// The authorization code in a callback URL, after checking it answers the request whose
/// `state` is `expected_state`. A callback that fails any check completes nothing.
pub fn authorization_code(callback: &Url, expected_state: &str) -> Result<AuthorizationCode> {
    let param = |name: &str| {
        callback
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    let state = param("state");
    let state_matches = state.as_deref() == Some(expected_state);
    if let Some(error) = param("error") {
        // An error page may come without a state (the hosted UI cannot always echo it), but one
        // carrying another sign-in's state is not ours to report.
        if state.is_some() && !state_matches {
            return Err(state_mismatch());
        }
        let description = param("error_description").unwrap_or_default();
        return Err(match error.as_str() {
            "access_denied" => Error::new(
                ErrorCode::AuthCancelled,
                "sign-in was cancelled in the browser; sign in again when you are ready",
            ),
            _ => Error::new(
                ErrorCode::AuthProviderError,
                format!(
                    "the sign-in page answered '{error}'{}; check the profile's client id, scopes and callback URLs",
                    if description.is_empty() {
                        String::new()
                    } else {
                        format!(" ({description})")
                    }
                ),
            ),
        });
    }
    if !state_matches {
        return Err(state_mismatch());
    }
    match param("code") {
        Some(code) if !code.is_empty() => Ok(AuthorizationCode::new(code)),
        _ => Err(Error::new(
            ErrorCode::AuthCallbackInvalid,
            "the sign-in answer has no authorization code; sign in again",
        )),
    }
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
            ("state=s1", ErrorCode::AuthCallbackInvalid),
            ("code=&state=s1", ErrorCode::AuthCallbackInvalid),
            ("error=access_denied&state=s1", ErrorCode::AuthCancelled),
            ("error=access_denied", ErrorCode::AuthCancelled),
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
}

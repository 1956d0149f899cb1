//! Plain HTTP helpers of sign-in: JSON documents from the issuer, and what to say when a
//! server cannot be reached.

use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{Error, ErrorCode, Result};

/// `net.offline` for a request to `url` that never got an answer.
pub(crate) fn unreachable(url: &Url, err: reqwest::Error) -> Error {
    let place = url.host_str().unwrap_or("the server");
    Error::new(
        ErrorCode::NetOffline,
        format!(
            "cannot reach {place} ({url}); check the network connection and the profile's URLs"
        ),
    )
    .with_source(err)
}

/// GETs a JSON document (discovery, key set).
pub(crate) async fn get_json<T: DeserializeOwned>(http: &reqwest::Client, url: &Url) -> Result<T> {
    let response = http
        .get(url.clone())
        .send()
        .await
        .map_err(|err| unreachable(url, err))?;
    let status = response.status();
    if !status.is_success() {
        return Err(Error::new(
            ErrorCode::AuthUnexpectedResponse,
            format!("{url} answered {status}; check the profile's issuer"),
        ));
    }
    response.json().await.map_err(|err| {
        Error::new(
            ErrorCode::AuthUnexpectedResponse,
            format!("{url} did not return the expected JSON; check the profile's issuer"),
        )
        .with_source(err)
    })
}

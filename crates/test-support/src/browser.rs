//! What a browser does with the URLs a sign-in sends it to, and the small URL surgery tests
//! do on them.

use std::collections::HashMap;

use url::Url;

/// GETs a URL the way a browser would reach a loopback callback (never through a proxy); the
/// status of the page.
pub async fn get(url: &Url) -> reqwest::Result<u16> {
    Ok(get_page(url, None).await?.0)
}

/// [`get`] with another `Host` header when given (what a DNS-rebinding page would send); the
/// status and the page.
pub async fn get_page(url: &Url, host: Option<&str>) -> reqwest::Result<(u16, String)> {
    let client = reqwest::Client::builder().no_proxy().build()?;
    let mut request = client.get(url.clone());
    if let Some(host) = host {
        request = request.header(reqwest::header::HOST, host);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    Ok((status, response.text().await?))
}

/// The query parameters of `url`, the last one winning where a name repeats.
pub fn query_of(url: &Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// `url` with the parameter `name` set to `value` (put last), or removed when `value` is `None`.
pub fn with_param(url: &Url, name: &str, value: Option<&str>) -> Url {
    let others: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != name)
        .collect();
    let mut out = url.clone();
    out.query_pairs_mut().clear().extend_pairs(others);
    if let Some(value) = value {
        out.query_pairs_mut().append_pair(name, value);
    }
    out
}

//! A robot browser for tests: plays the person on the hosted sign-in page over plain HTTP.
//!
//! It opens the authorize URL, fills the sign-in form (signing up when the account does not
//! exist yet), and returns the URL the page sends the browser back to: the app's callback
//! with `code` and `state`, or with `error`. It does not request that URL; the caller decides.

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use reqwest::redirect::Policy;
use url::Url;

#[derive(Debug, thiserror::Error)]
pub enum RobotError {
    #[error("request to {url} failed: {source}")]
    Http {
        url: Url,
        #[source]
        source: reqwest::Error,
    },
    #[error("the hosted UI showed an error page: {0}")]
    ErrorPage(Url),
    #[error("unexpected answer from {url}: {status}")]
    Unexpected { url: Url, status: StatusCode },
    #[error("sign-in refused: {0}")]
    Refused(String),
}

/// A browser with its own cookie jar, so a second sign-in can ride on the first one's session.
pub struct Robot {
    client: reqwest::Client,
}

impl Default for Robot {
    fn default() -> Self {
        Self::new()
    }
}

impl Robot {
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .cookie_store(true)
            .no_proxy()
            .build()
            .expect("a plain HTTP client always builds");
        Self { client }
    }

    /// Signs in at `authorize_url` and returns where the hosted UI redirects the browser.
    pub async fn sign_in(
        &self,
        authorize_url: &Url,
        email: &str,
        password: &str,
    ) -> Result<Url, RobotError> {
        let first = self
            .location(self.client.get(authorize_url.clone()), authorize_url)
            .await?;
        if first.path() != "/login" || first.origin() != authorize_url.origin() {
            return self.leave(first);
        }
        let query = first.query().unwrap_or_default().to_owned();
        let form = [("email", email), ("password", password)];
        let login = first.clone();
        match self.submit(&login, &form).await? {
            Submitted::Redirect(url) => self.leave(url),
            Submitted::Refused(_) => {
                let mut signup = first.clone();
                signup.set_path("/signup");
                signup.set_query(Some(&query));
                match self.submit(&signup, &form).await? {
                    Submitted::Redirect(url) => self.leave(url),
                    Submitted::Refused(page) => Err(RobotError::Refused(page)),
                }
            }
        }
    }

    fn leave(&self, url: Url) -> Result<Url, RobotError> {
        if url.path() == "/error" {
            Err(RobotError::ErrorPage(url))
        } else {
            Ok(url)
        }
    }

    async fn location(
        &self,
        request: reqwest::RequestBuilder,
        url: &Url,
    ) -> Result<Url, RobotError> {
        let response = request.send().await.map_err(|source| RobotError::Http {
            url: url.clone(),
            source,
        })?;
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| url.join(v).ok());
        match location {
            Some(location) if status.is_redirection() => Ok(location),
            _ => Err(RobotError::Unexpected {
                url: url.clone(),
                status,
            }),
        }
    }

    async fn submit(&self, url: &Url, form: &[(&str, &str)]) -> Result<Submitted, RobotError> {
        let response = self
            .client
            .post(url.clone())
            .form(form)
            .send()
            .await
            .map_err(|source| RobotError::Http {
                url: url.clone(),
                source,
            })?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| url.join(v).ok())
                .ok_or_else(|| RobotError::Unexpected {
                    url: url.clone(),
                    status,
                })?;
            return Ok(Submitted::Redirect(location));
        }
        if status == StatusCode::BAD_REQUEST {
            let page = response.text().await.unwrap_or_default();
            return Ok(Submitted::Refused(page));
        }
        Err(RobotError::Unexpected {
            url: url.clone(),
            status,
        })
    }
}

enum Submitted {
    Redirect(Url),
    /// The form came back with an error; the page's HTML.
    Refused(String),
}

/// Signs in with a fresh robot (no earlier session).
pub async fn sign_in(authorize_url: &Url, email: &str, password: &str) -> Result<Url, RobotError> {
    Robot::new().sign_in(authorize_url, email, password).await
}

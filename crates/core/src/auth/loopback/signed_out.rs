//! The page the hosted sign-out sends the browser back to (the profile's `sign_out_url` on
//! `http://localhost:PORT/PATH`). It has a listener of its own, opened only around a sign-out:
//! the redirect carries no state and proves nothing, so it must never reach the sign-in's
//! receiver, and all it may do is show a page.

use std::time::Duration;

use hyper::{Method, StatusCode, header};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;
use url::Url;

use super::{accept, bind_loopback, html, is_own_host, serve};
use crate::auth::pages;
use crate::config::Redirect;
use crate::error::{Error, ErrorCode, Result};

/// Listening sockets for the signed-out page, bound before the browser opens the sign-out.
#[derive(Debug)]
pub struct SignedOutListener {
    path: String,
    port: u16,
    listeners: Vec<TcpListener>,
}

impl SignedOutListener {
    /// Binds `url`'s port on loopback; `url` must be an `http://localhost:PORT/PATH` address.
    pub async fn bind(url: &Url) -> Result<Self> {
        let port = match Redirect::parse(url.as_str()) {
            Ok(Redirect::Loopback { port, .. }) => port,
            _ => {
                return Err(Error::new(
                    ErrorCode::ConfigInvalid,
                    format!("the sign-out URL {url} is not an http://localhost:PORT/PATH address"),
                ));
            }
        };
        let listeners = bind_loopback(port).await.map_err(|err| {
            Error::new(
                ErrorCode::Io,
                format!("cannot listen on localhost port {port} for the signed-out page: {err}"),
            )
            .with_source(err)
        })?;
        Ok(Self {
            path: url.path().to_owned(),
            port,
            listeners,
        })
    }

    /// Shows the signed-out page to the first browser that asks for its path (other paths get
    /// "nothing here"), then closes; gives up after `timeout`. Whether the page was shown.
    pub async fn serve(self, timeout: Duration) -> bool {
        let (shown, was_shown) = oneshot::channel::<()>();
        let shown = std::sync::Arc::new(std::sync::Mutex::new(Some(shown)));
        let (stop, stopped) = watch::channel(());
        let mut accept_loops = JoinSet::new();
        for listener in self.listeners {
            let (path, port, shown) = (self.path.clone(), self.port, shown.clone());
            let serve_one = move |stream| {
                let (path, shown) = (path.clone(), shown.clone());
                serve(stream, move |request| {
                    let own_host = request
                        .headers()
                        .get(header::HOST)
                        .and_then(|h| h.to_str().ok())
                        .is_some_and(|h| is_own_host(h, port));
                    if !own_host {
                        return html(StatusCode::MISDIRECTED_REQUEST, pages::wrong_host());
                    }
                    if request.method() != Method::GET || request.uri().path() != path {
                        return html(StatusCode::NOT_FOUND, pages::not_found());
                    }
                    if let Some(shown) = shown.lock().expect("shown lock").take() {
                        let _ = shown.send(());
                    }
                    html(StatusCode::OK, pages::signed_out())
                })
            };
            accept_loops.spawn(accept::accept_loop(listener, serve_one, stopped.clone()));
        }
        let result = tokio::time::timeout(timeout, was_shown).await;
        drop(stop);
        while accept_loops.join_next().await.is_some() {}
        matches!(result, Ok(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free_port() -> u16 {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    }

    async fn get(url: &str) -> (u16, String) {
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let response = client.get(url).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    #[tokio::test]
    async fn shows_the_page_on_its_path_once_then_closes() {
        let port = free_port();
        let url = Url::parse(&format!("http://localhost:{port}/signed-out")).unwrap();
        let listener = SignedOutListener::bind(&url).await.unwrap();
        let server = tokio::spawn(listener.serve(Duration::from_secs(10)));
        let other = format!("http://127.0.0.1:{port}/callback?code=x&state=y");
        assert_eq!(get(&other).await.0, 404, "another path is not the page");
        let (status, page) = get(url.as_str()).await;
        assert_eq!(status, 200);
        assert!(page.contains("signed out"), "{page}");
        assert!(server.await.unwrap(), "the page was shown");
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        assert!(client.get(url).send().await.is_err(), "the port is closed");
    }

    #[tokio::test]
    async fn gives_up_after_its_timeout_and_takes_only_loopback_addresses() {
        let port = free_port();
        let url = Url::parse(&format!("http://localhost:{port}/signed-out")).unwrap();
        let listener = SignedOutListener::bind(&url).await.unwrap();
        assert!(!listener.serve(Duration::from_millis(50)).await);
        let err = SignedOutListener::bind(&Url::parse("cubby://auth/signed-out").unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::ConfigInvalid);
    }
}

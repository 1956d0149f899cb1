//! The loopback receiver (RFC 8252 §7.3 as Cognito allows it): listens on `127.0.0.1` and `[::1]`
//! on one of the profile's registered `http://localhost:PORT` callbacks, and answers only its own
//! sign-in: a request counts when it names a loopback host with this port and carries the
//! sign-in's `state`. The first that does ends the wait and closes the sockets; anything else
//! that reaches the port gets a small page, changes nothing, and the wait goes on until the
//! sign-in's own timeout (so a web page cannot end a sign-in with a forged image request).

mod accept;
mod signed_out;

pub use signed_out::SignedOutListener;

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode, header};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;
use url::Url;

use super::callback::{authorization_code, state_matches};
use super::pages;
use crate::config::Profile;
use crate::error::{Error, ErrorCode, Result};

/// How long a sign-in waits for the browser by default (RFC 8252 suggests minutes, not hours).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Listening sockets bound before the browser opens, so the answer cannot arrive too early.
#[derive(Debug)]
pub struct LoopbackReceiver {
    redirect: Url,
    port: u16,
    busy_ports: Vec<u16>,
    listeners: Vec<TcpListener>,
}

/// Answers the requests of one sign-in's listeners.
struct Handler {
    redirect: Url,
    port: u16,
    state: String,
    outcome: Mutex<Option<oneshot::Sender<Result<Url>>>>,
}

impl LoopbackReceiver {
    /// Binds the first registered loopback callback whose port is free on both loopback
    /// addresses (`[::1]` is skipped only where the machine has no IPv6 loopback).
    pub async fn bind(profile: &Profile) -> Result<Self> {
        let mut busy_ports = Vec::new();
        for (url, port) in profile.loopback_redirects() {
            match bind_loopback(port).await {
                Ok(listeners) => {
                    if !busy_ports.is_empty() {
                        tracing::info!(?busy_ports, redirect = %url, "sign-in ports busy; using the next registered callback");
                    }
                    return Ok(Self {
                        redirect: url.clone(),
                        port,
                        busy_ports,
                        listeners,
                    });
                }
                Err(err) if err.kind() == io::ErrorKind::AddrInUse => busy_ports.push(port),
                Err(err) => {
                    return Err(Error::new(
                        ErrorCode::Io,
                        format!(
                            "cannot listen on localhost port {port} for the sign-in answer: {err}"
                        ),
                    )
                    .with_source(err));
                }
            }
        }
        if busy_ports.is_empty() {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                "the profile has no http://localhost:PORT/PATH callback to receive the sign-in; add one to `redirect` (and to the app client's callback URLs)",
            ));
        }
        let list = busy_ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        Err(Error::new(
            ErrorCode::AuthPortBusy,
            format!(
                "every registered sign-in port ({list}) is in use by another program; close it, or register another http://localhost:PORT/callback on the app client and in the profile"
            ),
        ))
    }

    /// The callback URL this receiver answers; the authorization request must use it.
    pub fn redirect(&self) -> &Url {
        &self.redirect
    }

    /// Registered ports that were busy and skipped, for telling the person.
    pub fn busy_ports(&self) -> &[u16] {
        &self.busy_ports
    }

    /// Waits (at most `timeout`) for the first callback carrying `state`, checks it (an error
    /// from the sign-in page, a missing code), shows the person a page saying how it went, and
    /// returns the callback URL. Closes the sockets before returning.
    pub async fn receive(self, state: &str, timeout: Duration) -> Result<Url> {
        let (sender, outcome) = oneshot::channel();
        let handler = Arc::new(Handler {
            redirect: self.redirect.clone(),
            port: self.port,
            state: state.to_owned(),
            outcome: Mutex::new(Some(sender)),
        });
        let (stop, stopped) = watch::channel(());
        let mut accept_loops = JoinSet::new();
        for listener in self.listeners {
            let handler = Arc::clone(&handler);
            let serve = move |stream| {
                let handler = Arc::clone(&handler);
                serve(stream, move |request| handler.respond(request))
            };
            accept_loops.spawn(accept::accept_loop(listener, serve, stopped.clone()));
        }
        let result = tokio::time::timeout(timeout, outcome).await;
        // The sockets are closed before returning: a replayed callback finds no one.
        drop(stop);
        while accept_loops.join_next().await.is_some() {}
        match result {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(Error::internal("the sign-in receiver stopped unexpectedly")),
            Err(_) => Err(Error::new(
                ErrorCode::AuthTimeout,
                format!(
                    "no sign-in answer reached {} within {} s; sign in again (if the browser showed an error such as redirect_mismatch, that callback URL is not registered on the app client)",
                    self.redirect,
                    timeout.as_secs()
                ),
            )),
        }
    }
}

/// Listeners on `127.0.0.1` and `[::1]` (where the machine has it) at `port`.
async fn bind_loopback(port: u16) -> io::Result<Vec<TcpListener>> {
    let v4 = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
    match TcpListener::bind((Ipv6Addr::LOCALHOST, port)).await {
        Ok(v6) => Ok(vec![v4, v6]),
        Err(err) if err.kind() == io::ErrorKind::AddrInUse => Err(err),
        Err(err) => {
            tracing::debug!(%err, "no IPv6 loopback; listening on 127.0.0.1 only");
            Ok(vec![v4])
        }
    }
}

/// Serves one connection (one request: no keep-alive) in the background with `respond`.
fn serve(
    stream: tokio::net::TcpStream,
    respond: impl Fn(&Request<Incoming>) -> Response<Full<Bytes>> + Send + Sync + 'static,
) {
    tokio::spawn(async move {
        let service = service_fn(move |request| {
            let response = respond(&request);
            async move { Ok::<_, std::convert::Infallible>(response) }
        });
        let served = http1::Builder::new()
            .keep_alive(false)
            .timer(TokioTimer::new())
            .header_read_timeout(Duration::from_secs(10))
            .serve_connection(TokioIo::new(stream), service)
            .await;
        if let Err(err) = served {
            tracing::debug!(%err, "sign-in receiver connection ended with an error");
        }
    });
}

impl Handler {
    fn respond(&self, request: &Request<Incoming>) -> Response<Full<Bytes>> {
        let host = request.headers().get(header::HOST);
        if !host
            .and_then(|h| h.to_str().ok())
            .is_some_and(|h| is_own_host(h, self.port))
        {
            tracing::debug!(
                ?host,
                "a request for another host reached the sign-in listener; ignored"
            );
            return html(StatusCode::MISDIRECTED_REQUEST, pages::wrong_host());
        }
        let query = request.uri().query();
        let param = |name: &str| {
            query.and_then(|query| {
                url::form_urlencoded::parse(query.as_bytes())
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value)
            })
        };
        let is_callback = request.method() == Method::GET
            && request.uri().path() == self.redirect.path()
            && ["code", "state", "error"]
                .iter()
                .any(|name| param(name).is_some());
        if !is_callback {
            return html(StatusCode::NOT_FOUND, pages::not_found());
        }
        if !state_matches(param("state").as_deref(), &self.state) {
            tracing::debug!(
                "a callback without this sign-in's state reached the listener; ignored"
            );
            return html(StatusCode::BAD_REQUEST, pages::not_this_sign_in());
        }
        let Some(sender) = self.outcome.lock().expect("outcome lock").take() else {
            return html(
                StatusCode::GONE,
                pages::failed("This sign-in was already answered"),
            );
        };
        let mut callback = self.redirect.clone();
        callback.set_query(query);
        let result = authorization_code(&callback, &self.state).map(|_| callback);
        let page = match &result {
            Ok(_) => html(StatusCode::OK, pages::signed_in()),
            Err(err) => html(StatusCode::BAD_REQUEST, pages::failed(&err.message)),
        };
        // The receiver may have timed out meanwhile; then nobody waits for this answer.
        let _ = sender.send(result);
        page
    }
}

/// Whether a `Host` header names this listener: `localhost`, `127.0.0.1` or `[::1]` with its
/// port. Any other name reached the socket by DNS rebinding or a misdirected proxy, not as the
/// browser coming back from the sign-in page.
fn is_own_host(host: &str, port: u16) -> bool {
    let Some((name, host_port)) = host.rsplit_once(':') else {
        return false;
    };
    host_port == port.to_string()
        && (name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1" || name == "[::1]")
}

fn html(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::REFERRER_POLICY, "no-referrer")
        .body(Full::new(Bytes::from(body)))
        .expect("static response parts are valid")
}

#[cfg(test)]
mod tests {
    use super::is_own_host;

    #[test]
    fn only_loopback_names_with_the_port_are_own_hosts() {
        for host in [
            "localhost:53682",
            "LocalHost:53682",
            "127.0.0.1:53682",
            "[::1]:53682",
        ] {
            assert!(is_own_host(host, 53682), "{host}");
        }
        for host in [
            "localhost",
            "localhost:53683",
            "localhost:053682",
            "127.0.0.1",
            "[::1]",
            "attacker.example:53682",
            "localhost.attacker.example:53682",
            "127.0.0.2:53682",
            "0.0.0.0:53682",
            "",
        ] {
            assert!(!is_own_host(host, 53682), "{host}");
        }
    }
}

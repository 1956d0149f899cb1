//! Silence ends an S3 request; slowness does not. A timeout on the whole attempt would cut a
//! large part on a slow link, so the clock here restarts whenever the connection takes a piece
//! of the request body or a piece of the answer arrives: an attempt fails only when nothing
//! moved for the idle time (a server that accepted and never answers, or that stopped reading
//! or sending part way). The SDK's default HTTPS client does the work; this wraps each of its
//! requests.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, Connector};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::{Error as BodyError, SdkBody};
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

/// Largest piece of a request body given to the connection at once. The connection asks for
/// the next piece only when it has sent most of the last, so pieces this small show progress
/// every few seconds even on a slow link (a whole part in one piece would not).
const REQUEST_PIECE: usize = 64 << 10;

/// The most a system keeps in a connection's send buffer on its own (Linux's default largest,
/// `tcp_wmem`; others keep less): body bytes handed over but maybe not yet sent.
const SEND_BUFFER: u64 = 4 << 20;

/// What a request that went silent fails with (in the error's source chain).
#[derive(Debug, thiserror::Error)]
#[error("nothing moved for {} s", .idle.as_secs_f32())]
pub(crate) struct Silence {
    idle: Duration,
}

impl Silence {
    /// The silence somewhere in `err`'s source chain, if that is why it failed.
    pub(crate) fn in_chain<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a Self> {
        std::iter::successors(Some(err), |e| e.source()).find_map(|e| e.downcast_ref::<Self>())
    }
}

/// The SDK's default HTTPS client (rustls with aws-lc, proxies from the environment), each of
/// whose requests fails after `idle` of silence.
pub(crate) fn client(idle: Duration) -> SharedHttpClient {
    let https = Builder::new().build_with_connector_fn(|settings, components| {
        let mut builder =
            Connector::builder().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
        builder.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            builder.set_sleep_impl(components.sleep_impl());
        }
        builder.set_proxy_config(Some(ProxyConfig::from_env()));
        builder.build()
    });
    SharedHttpClient::new(IdleClient { https, idle })
}

#[derive(Debug)]
struct IdleClient {
    https: SharedHttpClient,
    idle: Duration,
}

impl HttpClient for IdleClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(IdleConnector {
            https: self.https.http_connector(settings, components),
            idle: self.idle,
        })
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.https.connector_metadata()
    }
}

#[derive(Debug)]
struct IdleConnector {
    https: SharedHttpConnector,
    idle: Duration,
}

impl HttpConnector for IdleConnector {
    fn call(&self, mut request: HttpRequest) -> HttpConnectorFuture {
        let idle = self.idle;
        let sent = Arc::new(Mutex::new(Sent::new()));
        let body = request.take_body();
        *request.body_mut() = SdkBody::from_body_1_x(WatchedRequest {
            inner: body,
            rest: Bytes::new(),
            sent: sent.clone(),
        });
        let answer = self.https.call(request);
        HttpConnectorFuture::new(async move {
            let mut response = answered(answer, &sent, idle).await?;
            let body = response.take_body();
            *response.body_mut() = SdkBody::from_body_1_x(WatchedResponse {
                inner: body,
                idle,
                deadline: Box::pin(tokio::time::sleep(idle)),
            });
            Ok(response)
        })
    }
}

/// How a request body went to the connection so far.
#[derive(Debug, Clone, Copy)]
struct Sent {
    started: Instant,
    last_move: Instant,
    bytes: u64,
}

impl Sent {
    fn new() -> Self {
        let now = Instant::now();
        Self {
            started: now,
            last_move: now,
            bytes: 0,
        }
    }

    /// When the silence allowed since the last piece runs out. The last pieces handed over
    /// may still be in the send buffer: after a body that went slowly, the time that buffer
    /// takes at the same pace is allowed on top (nothing for a body that went at once).
    fn deadline(&self, idle: Duration) -> Instant {
        let took = self.last_move - self.started;
        let drain = if self.bytes == 0 || took < Duration::from_secs(1) {
            Duration::ZERO
        } else {
            took.mul_f64(self.bytes.min(SEND_BUFFER) as f64 / self.bytes as f64)
        };
        self.last_move + idle + drain
    }
}

/// The answer's head, or a timeout once neither the request body nor the answer moved for
/// `idle` (and the send buffer's drain).
async fn answered(
    answer: HttpConnectorFuture,
    sent: &Mutex<Sent>,
    idle: Duration,
) -> Result<HttpResponse, ConnectorError> {
    tokio::pin!(answer);
    loop {
        let deadline = lock(sent).deadline(idle);
        tokio::select! {
            biased;
            answer = &mut answer => return answer,
            () = tokio::time::sleep_until(deadline) => {
                if lock(sent).deadline(idle) <= Instant::now() {
                    return Err(ConnectorError::timeout(Box::new(Silence { idle })));
                }
            }
        }
    }
}

fn lock(sent: &Mutex<Sent>) -> std::sync::MutexGuard<'_, Sent> {
    sent.lock().unwrap_or_else(|e| e.into_inner())
}

/// A request body given out in small pieces, noting when the connection takes each.
struct WatchedRequest {
    inner: SdkBody,
    /// What is left of a large frame of `inner`.
    rest: Bytes,
    sent: Arc<Mutex<Sent>>,
}

impl Body for WatchedRequest {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        let this = self.get_mut();
        if this.rest.is_empty() {
            match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => this.rest = data,
                    Err(frame) => return Poll::Ready(Some(Ok(frame))),
                },
                other => return other,
            }
        }
        let piece = this.rest.split_to(this.rest.len().min(REQUEST_PIECE));
        let mut sent = lock(&this.sent);
        sent.last_move = Instant::now();
        sent.bytes += piece.len() as u64;
        Poll::Ready(Some(Ok(Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_empty() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let inner = self.inner.size_hint();
        let rest = self.rest.len() as u64;
        let mut hint = SizeHint::new();
        hint.set_lower(inner.lower() + rest);
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper + rest);
        }
        hint
    }
}

/// An answer's body that fails once no byte of it arrived for `idle`.
struct WatchedResponse {
    inner: SdkBody,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl Body for WatchedResponse {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.deadline.as_mut().reset(Instant::now() + this.idle);
                Poll::Ready(frame)
            }
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(Silence { idle: this.idle })))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

//! The one loopback port: routes each request to the hosted UI, the identity pool, the admin
//! routes or S3, and applies fault rules on the way.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body::{Body as HttpBody, Frame};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::cloud::Cloud;
use crate::faults::FaultAction;
use crate::operation::operation_of;

/// Body and service errors are plain `io::Error`s: a boxed `dyn Error` here trips a
/// higher-ranked lifetime bug in checking that hyper's connection future is `Send`.
pub type ResponseBody = UnsyncBoxBody<Bytes, io::Error>;
type ServeFuture = futures::future::BoxFuture<'static, Result<Response<ResponseBody>, io::Error>>;

#[derive(Clone)]
pub struct Dispatcher {
    cloud: Arc<Cloud>,
    local: Router,
    s3: s3s::service::S3Service,
}

impl Dispatcher {
    pub fn new(cloud: Arc<Cloud>, s3: s3s::service::S3Service) -> Self {
        let local = crate::auth::routes()
            .merge(crate::admin::routes())
            .route("/", axum::routing::post(crate::identity::handle))
            .with_state(cloud.clone());
        Self { cloud, local, s3 }
    }

    fn is_local(req: &Request<Incoming>) -> bool {
        let path = req.uri().path();
        crate::auth::owns_path(path)
            || path.starts_with(crate::admin::PREFIX)
            || (path == "/" && req.headers().contains_key("x-amz-target"))
    }

    async fn route(&self, req: Request<Incoming>) -> Response<ResponseBody> {
        if Self::is_local(&req) {
            let response = self
                .local
                .clone()
                .oneshot(req)
                .await
                .unwrap_or_else(|never| match never {});
            response.map(|body| body.map_err(io::Error::other).boxed_unsync())
        } else {
            match hyper::service::Service::call(&self.s3, req).await {
                Ok(response) => response.map(|body| body.map_err(io::Error::other).boxed_unsync()),
                Err(err) => {
                    tracing::error!(error = ?err, "S3 request failed");
                    plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
                }
            }
        }
    }

    /// Serves one request, with whatever fault a rule decides for it.
    pub async fn serve(&self, req: Request<Incoming>) -> io::Result<Response<ResponseBody>> {
        let operation = operation_of(&req);
        match self.cloud.faults.decide(&operation) {
            None => Ok(self.route(req).await),
            Some(FaultAction::Delay { millis }) => {
                tokio::time::sleep(Duration::from_millis(millis)).await;
                Ok(self.route(req).await)
            }
            Some(FaultAction::Status { status }) => {
                // Drain the body first, as a real server does before answering.
                let _ = req.into_body().collect().await;
                Ok(fault_status(status, &operation))
            }
            Some(FaultAction::ResetRequest { after_bytes }) => {
                let mut body = req.into_body();
                let mut read = 0u64;
                while read < after_bytes {
                    match body.frame().await {
                        Some(Ok(frame)) => {
                            read += frame.data_ref().map_or(0, |d| d.len() as u64);
                        }
                        _ => break,
                    }
                }
                Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    format!("fault injected: connection reset after {read} request bytes"),
                ))
            }
            Some(FaultAction::ResetResponse { after_bytes }) => {
                let response = self.route(req).await;
                Ok(response.map(|body| {
                    CutOff {
                        inner: body,
                        remaining: after_bytes,
                        flushed: false,
                    }
                    .boxed_unsync()
                }))
            }
        }
    }
}

pub fn plain(status: StatusCode, text: &str) -> Response<ResponseBody> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(full(text.to_owned()))
        .expect("static response")
}

pub fn full(bytes: impl Into<Bytes>) -> ResponseBody {
    Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed_unsync()
}

/// A 5xx in the shape the client of that operation expects: S3's error XML or AWS JSON.
fn fault_status(status: u16, operation: &str) -> Response<ResponseBody> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (s3_code, json_type, message) = if status == StatusCode::SERVICE_UNAVAILABLE {
        (
            "SlowDown",
            "TooManyRequestsException",
            "Please reduce your request rate.",
        )
    } else {
        (
            "InternalError",
            "InternalErrorException",
            "We encountered an internal error. Please try again.",
        )
    };
    let is_s3 = !matches!(
        operation,
        "GetId"
            | "GetCredentialsForIdentity"
            | "Authorize"
            | "Token"
            | "Revoke"
            | "UserInfo"
            | "Login"
            | "SignUp"
            | "Logout"
    );
    let (content_type, body) = if is_s3 {
        (
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{s3_code}</Code><Message>{message}</Message></Error>"
            ),
        )
    } else {
        (
            "application/x-amz-json-1.1",
            serde_json::json!({"__type": json_type, "message": message}).to_string(),
        )
    };
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .body(full(body))
        .expect("static response")
}

/// A response body that fails after a number of bytes, which makes hyper drop the connection.
///
/// Before failing it yields once: hyper flushes what it has buffered only when the body is
/// pending, and drops the buffer on an error, so without the pause the client could lose the
/// headers too and see a refused request instead of a body cut short.
struct CutOff {
    inner: ResponseBody,
    remaining: u64,
    flushed: bool,
}

impl HttpBody for CutOff {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<io::Result<Frame<Bytes>>>> {
        if self.remaining == 0 {
            if !self.flushed {
                self.flushed = true;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            return Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "fault injected: connection reset mid-body",
            ))));
        }
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                Ok(mut data) => {
                    if data.len() as u64 > self.remaining {
                        data.truncate(self.remaining as usize);
                    }
                    self.remaining -= data.len() as u64;
                    Poll::Ready(Some(Ok(Frame::data(data))))
                }
                Err(frame) => Poll::Ready(Some(Ok(frame))),
            },
            other => other,
        }
    }
}

/// Accepts connections until `stop` is cancelled, then ends every open connection.
pub async fn run(listener: TcpListener, dispatcher: Dispatcher, stop: CancellationToken) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let dispatcher = dispatcher.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |req| -> ServeFuture {
                        let dispatcher = dispatcher.clone();
                        Box::pin(async move { dispatcher.serve(req).await })
                    });
                    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                    if let Err(err) = builder.serve_connection(TokioIo::new(stream), service).await {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

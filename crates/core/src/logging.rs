//! Log output for every front end: one subscriber set-up, so the filter that keeps secrets out
//! of the logs cannot be forgotten by any of them. A front end chooses only the level, where
//! lines go and whether they may be coloured.

use tracing_subscriber::Layer;
use tracing_subscriber::filter::{EnvFilter, FilterExt};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// What a front end chooses about its log output.
pub struct LogOutput<'a, W> {
    /// Environment variable whose level directives replace the default (`CUBBY_LOG=debug`);
    /// `None` ignores the environment.
    pub env_var: Option<&'a str>,
    /// Level directives (`warn`, `cubby_core=debug`) used when `env_var` is unset or unreadable.
    pub default_level: &'a str,
    /// Where the lines go: `std::io::stderr`, a file, a test's buffer.
    pub writer: W,
    /// Whether the lines may carry colours (ANSI escapes): true only for a terminal. A
    /// non-empty `NO_COLOR` still turns them off.
    pub colour: bool,
}

/// Installs the process-wide subscriber: events at the chosen level, minus those that may
/// carry secrets, formatted to the chosen writer. Also forwards the `log` crate's records.
///
/// # Panics
///
/// When a global subscriber or `log` logger was already installed: call it once, at start.
pub fn init<W>(output: LogOutput<'_, W>)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let level = output
        .env_var
        .and_then(|var| EnvFilter::try_from_env(var).ok())
        .unwrap_or_else(|| EnvFilter::new(output.default_level));
    let layer = tracing_subscriber::fmt::layer().with_writer(output.writer);
    // Left alone when colours are allowed, so the formatter's own `NO_COLOR` check applies.
    let layer = if output.colour {
        layer
    } else {
        layer.with_ansi(false)
    };
    tracing_subscriber::registry()
        .with(layer.with_filter(level.and(secret_filter())))
        .init();
}

/// Drops the events that may carry secrets, whatever level the person asks for. It is combined
/// with the level filter and never makes anything more verbose.
fn secret_filter<S>() -> impl tracing_subscriber::layer::Filter<S> {
    use tracing::Level;
    tracing_subscriber::filter::filter_fn(|meta| {
        let target = meta.target();
        let from = |module: &str| {
            target == module
                || target
                    .strip_prefix(module)
                    .is_some_and(|rest| rest.starts_with("::"))
        };
        let dropped = match *meta.level() {
            // The SDK's orchestrator logs each operation's output with its generated `Debug`
            // (Cognito Identity's `Credentials` print the session token in clear).
            Level::TRACE if from("aws_smithy_runtime::client::orchestrator") => true,
            // SigV4 logs the canonical request: a presigned URL's carries the session token.
            _ if from("aws_sigv4") => true,
            // s3s (localcloud's S3, in-process for the sandbox and tests) logs whole requests,
            // `x-amz-security-token` included.
            Level::DEBUG | Level::TRACE if from("s3s") => true,
            // "Presigned request will expire before the given `expires_in`": Cubby shortens a
            // share link to its credentials' life itself and says so (`ShareLimit`).
            Level::WARN if from("aws_runtime::auth::sigv4") => true,
            _ => false,
        };
        !dropped
    })
}

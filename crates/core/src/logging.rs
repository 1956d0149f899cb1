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

/// Drops the events that may carry secrets, whatever level the person asks for. At TRACE the
/// AWS SDK's orchestrator logs each operation's output with its generated `Debug`, and that of
/// Cognito Identity's `Credentials` prints the session token in clear. It is combined with the
/// level filter and never makes anything more verbose.
fn secret_filter<S>() -> impl tracing_subscriber::layer::Filter<S> {
    tracing_subscriber::filter::filter_fn(|meta| {
        !(*meta.level() == tracing::Level::TRACE
            && meta
                .target()
                .starts_with("aws_smithy_runtime::client::orchestrator"))
    })
}

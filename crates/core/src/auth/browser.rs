//! Opening the hosted sign-in page in the person's own browser (never an embedded web view).

use url::Url;

use crate::error::{Error, ErrorCode, Result};

/// Opens `url` in the system browser; on Unix `$BROWSER` wins when set, as for other tools.
/// On failure the caller shows the URL so the person can open it by hand.
pub fn open(url: &Url) -> Result<()> {
    webbrowser::open(url.as_str()).map_err(|err| {
        Error::new(
            ErrorCode::Io,
            format!("cannot open a web browser ({err}); open the sign-in URL yourself"),
        )
        .with_source(err)
    })
}

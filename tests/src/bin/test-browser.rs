//! A stand-in for the person's browser in CLI tests (`BROWSER=.../test-browser`): signs in on the
//! hosted page opened as `argv[1]` with `CUBBY_TEST_EMAIL` / `CUBBY_TEST_PASSWORD` (localcloud's
//! robot fills the form over HTTP), then follows the redirect to the app's loopback callback,
//! as a real browser would. Reports to stderr, or to the file `CUBBY_TEST_BROWSER_LOG` names.

use std::io::Write;
use std::process::ExitCode;

use cubby_test_support::browser;
use url::Url;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let outcome = browse().await;
    let line = match &outcome {
        Ok(status) => format!("test-browser: callback answered {status}\n"),
        Err(err) => format!("test-browser: {err}\n"),
    };
    match std::env::var_os("CUBBY_TEST_BROWSER_LOG") {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path);
            if let Ok(mut file) = file {
                let _ = file.write_all(line.as_bytes());
            }
        }
        None => eprint!("{line}"),
    }
    match outcome {
        Ok(200) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

async fn browse() -> Result<u16, String> {
    let url = std::env::args().nth(1).ok_or("usage: test-browser URL")?;
    let url = Url::parse(&url).map_err(|err| format!("not a URL: {err}"))?;
    let email = std::env::var("CUBBY_TEST_EMAIL").map_err(|_| "CUBBY_TEST_EMAIL is not set")?;
    let password =
        std::env::var("CUBBY_TEST_PASSWORD").map_err(|_| "CUBBY_TEST_PASSWORD is not set")?;
    let callback = cubby_localcloud::robot::sign_in(&url, &email, &password)
        .await
        .map_err(|err| err.to_string())?;
    browser::get(&callback)
        .await
        .map_err(|err| format!("the callback could not be reached: {err}"))
}

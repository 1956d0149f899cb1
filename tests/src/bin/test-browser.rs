//! A stand-in for the person's browser (`BROWSER=.../test-browser`): signs in on the hosted page
//! opened as `argv[1]` with `CUBBY_TEST_EMAIL` / `CUBBY_TEST_PASSWORD` (localcloud's robot fills
//! the form over HTTP, signing up when the account does not exist), then follows the redirect as
//! a real browser would: an `http` callback is requested, any other scheme (`cubby://...`) is
//! handed to the program the desktop opens such links with, `CUBBY_TEST_URL_HANDLER` (the app:
//! a second launch with the link). With `CUBBY_TEST_BROWSER_IDLE` set it only notes the address,
//! like a person who has not signed in yet. Reports to stderr, or to the file
//! `CUBBY_TEST_BROWSER_LOG` names: first `test-browser: opened ADDRESS`, then the outcome.

use std::io::Write;
use std::process::ExitCode;

use cubby_test_support::browser;
use url::Url;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Some(address) = std::env::args().nth(1) else {
        report("test-browser: usage: test-browser URL");
        return ExitCode::FAILURE;
    };
    report(&format!("test-browser: opened {address}"));
    if std::env::var_os("CUBBY_TEST_BROWSER_IDLE").is_some() {
        return ExitCode::SUCCESS;
    }
    let outcome = browse(&address).await;
    report(&format!(
        "test-browser: {}",
        outcome.as_ref().unwrap_or_else(|err| err)
    ));
    match outcome {
        Ok(_) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn report(line: &str) {
    match std::env::var_os("CUBBY_TEST_BROWSER_LOG") {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path);
            if let Ok(mut file) = file {
                let _ = writeln!(file, "{line}");
            }
        }
        None => eprintln!("{line}"),
    }
}

/// Signs in and delivers the callback; what came of it.
async fn browse(address: &str) -> Result<String, String> {
    let url = Url::parse(address).map_err(|err| format!("not a URL: {err}"))?;
    let email = std::env::var("CUBBY_TEST_EMAIL").map_err(|_| "CUBBY_TEST_EMAIL is not set")?;
    let password =
        std::env::var("CUBBY_TEST_PASSWORD").map_err(|_| "CUBBY_TEST_PASSWORD is not set")?;
    let callback = cubby_localcloud::robot::sign_in(&url, &email, &password)
        .await
        .map_err(|err| err.to_string())?;
    match callback.scheme() {
        "http" | "https" => match browser::get(&callback).await {
            Ok(200) => Ok("callback answered 200".to_owned()),
            Ok(status) => Err(format!("callback answered {status}")),
            Err(err) => Err(format!("the callback could not be reached: {err}")),
        },
        _ => open_with_handler(&callback),
    }
}

/// What the desktop does with a link of another scheme: runs its handler with the link.
fn open_with_handler(link: &Url) -> Result<String, String> {
    let handler = std::env::var_os("CUBBY_TEST_URL_HANDLER")
        .ok_or_else(|| format!("no CUBBY_TEST_URL_HANDLER to open {link} with"))?;
    let status = std::process::Command::new(&handler)
        .arg(link.as_str())
        .status()
        .map_err(|err| format!("cannot run {}: {err}", handler.to_string_lossy()))?;
    if status.success() {
        Ok(format!(
            "handed {} to {}",
            link.scheme(),
            handler.to_string_lossy()
        ))
    } else {
        Err(format!(
            "{} {link} exited with {status}",
            handler.to_string_lossy()
        ))
    }
}

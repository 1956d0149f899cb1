//! `cubby login`, `logout`, `whoami`, `credentials`.

use std::io::BufRead;
use std::time::Duration;

use clap::Args;
use cubby_core::auth::{SIGN_IN_TIMEOUT, open_in_browser};
use cubby_core::secrets::SecretStore;
use cubby_core::session::{Session, SessionInfo};
use cubby_core::{Error, ErrorCode, Result};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use url::Url;

use crate::context::{Context, not_signed_in};

/// How long `logout --browser` waits for the browser to come back from the hosted sign-out.
const SIGN_OUT_PAGE_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Print the sign-in URL instead of opening a browser, then read the address the browser
    /// ends on, pasted back (for machines without a browser).
    #[arg(long)]
    no_browser: bool,
    /// Give up after this many seconds without an answer from the browser.
    #[arg(long, value_name = "SECONDS", default_value_t = SIGN_IN_TIMEOUT.as_secs())]
    timeout: u64,
}

#[derive(Debug, Args)]
pub struct CredentialsArgs {
    /// Sign in through the browser for this one set of credentials and keep nothing, for
    /// machines without an OS keyring (each run signs in again).
    #[arg(long)]
    no_keyring: bool,
    /// With --no-keyring: give up after this many seconds without an answer from the browser.
    #[arg(long, value_name = "SECONDS", default_value_t = SIGN_IN_TIMEOUT.as_secs(), requires = "no_keyring")]
    timeout: u64,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Also open the hosted sign-out page, ending the browser's sign-in session.
    #[arg(long)]
    browser: bool,
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn login(context: &Context, args: LoginArgs) -> Result<()> {
    let session = context.session()?;
    let info = if args.no_browser {
        login_pasted(&session).await?
    } else {
        sign_in_with_browser(&session, Duration::from_secs(args.timeout)).await?
    };
    println!(
        "Signed in as {} (folder s3://{}/{})",
        info.email.as_deref().unwrap_or(&info.identity_id),
        info.bucket,
        info.folder
    );
    Ok(())
}

/// The loopback sign-in with the system browser (or the URL printed when none opens).
async fn sign_in_with_browser(session: &Session, timeout: Duration) -> Result<SessionInfo> {
    session
        .sign_in_with_loopback(
            |request, receiver| {
                if !receiver.busy_ports().is_empty() {
                    eprintln!(
                        "Port(s) {:?} busy; waiting for the sign-in on {}",
                        receiver.busy_ports(),
                        receiver.redirect()
                    );
                }
                match open_in_browser(request.url()) {
                    Ok(()) => eprintln!(
                        "Opened the sign-in page in your browser; waiting for you to sign in..."
                    ),
                    Err(err) => eprintln!("{err}:\n  {}", request.url()),
                }
            },
            timeout,
        )
        .await
}

/// `--no-browser`: the person opens the URL anywhere and pastes back where the browser ended.
async fn login_pasted(session: &Session) -> Result<SessionInfo> {
    session.check_store().await?;
    let redirect = session
        .profile()
        .redirects
        .first()
        .map(|r| r.url().clone())
        .ok_or_else(|| Error::new(ErrorCode::ConfigInvalid, "the profile has no callback URL"))?;
    let request = session.begin_sign_in(&redirect);
    eprintln!(
        "Open this URL in a browser and sign in:\n  {}\nThen paste the full address the browser ends on (it starts with {redirect}; the page may fail to load, that is fine):",
        request.url()
    );
    let line = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map(|_| line)
    })
    .await
    .map_err(|err| Error::internal(format!("reading the pasted address failed: {err}")))?
    .map_err(|err| {
        Error::new(
            ErrorCode::Io,
            format!("cannot read the pasted address: {err}"),
        )
    })?;
    let callback = Url::parse(line.trim()).map_err(|_| {
        Error::new(
            ErrorCode::AuthCallbackInvalid,
            format!("the pasted text is not an address starting with {redirect}; run `cubby login --no-browser` again and paste the whole address"),
        )
    })?;
    session.complete_sign_in(request, &callback).await
}

pub async fn logout(context: &Context, args: LogoutArgs) -> Result<()> {
    let session = context.session()?;
    let signed_out = session.sign_out().await?;
    if signed_out.revoked {
        println!("Signed out; the session was revoked and forgotten on this machine");
    } else {
        println!("No session was saved for this profile; nothing to sign out");
    }
    if args.browser {
        eprintln!("Opened the sign-out page in your browser...");
        if session
            .sign_out_in_browser(open_in_browser, SIGN_OUT_PAGE_TIMEOUT)
            .await?
        {
            eprintln!("The browser is signed out too.");
        }
    }
    Ok(())
}

pub async fn whoami(context: &Context, args: WhoamiArgs) -> Result<()> {
    let session = context.signed_in_session().await?;
    session.credentials().await?;
    let info = session.info().await.ok_or_else(not_signed_in)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&info).expect("session info serializes")
        );
    } else {
        println!(
            "user:        {}",
            info.email.as_deref().unwrap_or("(no email)")
        );
        println!("identity id: {}", info.identity_id);
        println!("folder:      s3://{}/{}", info.bucket, info.folder);
        if let Some(expiry) = info.credentials_expiry {
            println!("credentials: valid until {}", rfc3339(expiry));
        }
    }
    Ok(())
}

/// The AWS CLI's `credential_process` output format, Version 1.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CredentialProcessOutput<'a> {
    version: u8,
    access_key_id: &'a str,
    secret_access_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration: Option<String>,
}

/// Prints the signed-in session's credentials; with `--no-keyring`, signs in first and keeps
/// nothing.
pub async fn credentials(context: &Context, args: CredentialsArgs) -> Result<()> {
    let session = if args.no_keyring {
        let session = context.session_in(SecretStore::memory())?;
        sign_in_with_browser(&session, Duration::from_secs(args.timeout)).await?;
        session
    } else {
        context.signed_in_session().await?
    };
    let credentials = session.credentials().await?;
    let output = CredentialProcessOutput {
        version: 1,
        access_key_id: credentials.access_key_id(),
        secret_access_key: credentials.secret_access_key(),
        session_token: credentials.session_token(),
        expiration: credentials
            .expiry()
            .map(|at| rfc3339(OffsetDateTime::from(at))),
    };
    println!(
        "{}",
        serde_json::to_string(&output).expect("credentials serialize")
    );
    Ok(())
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .expect("a system time formats as RFC 3339")
}

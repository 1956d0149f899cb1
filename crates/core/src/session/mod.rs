//! A person's session with one profile: sign in (loopback, deep link or pasted answer), restore
//! it silently from the keyring, sign out, and the credentials that reach their folder. Any
//! refusal of the refresh token (or of a freshly refreshed id token) ends in one state:
//! signed out, sign in again (`auth.session_expired`).
//!
//! Other processes (the app and the CLI) use the same saved session. Every read-refresh-save of
//! the saved refresh token happens during a [`Turn`](crate::secrets::Turn), so with rotation
//! no two refresh from the same token; a refresh starts from the saved token when it belongs to
//! the same person (another process may have rotated it), and a refused token removes only
//! itself from the store, never a session saved since.

mod info;
mod source;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aws_credential_types::Credentials;
use oauth2::RefreshToken;
use secrecy::SecretString;
use tokio::sync::Mutex;
use url::Url;

pub use info::SessionInfo;
pub use source::SessionCredentials;

use crate::auth::DeepLinkReceiver;
use crate::auth::{
    AuthorizationRequest, IdClaims, LoopbackReceiver, OAuthClient, SignedOutListener, TokenSet,
};
use crate::config::Profile;
use crate::error::{Error, ErrorCode, Result};
use crate::identity::{IdentityPool, RenewingCredentials};
use crate::secrets::{SecretStore, StoredSession, legacy_session_key, session_key};

/// A signed-in (or not yet signed-in) session. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
    credentials: RenewingCredentials<SessionCredentials>,
}

struct Inner {
    profile: Profile,
    key: String,
    /// Where an earlier version saved this profile's session.
    legacy_key: String,
    store: SecretStore,
    oauth: OAuthClient,
    pool: IdentityPool,
    state: Mutex<Option<Live>>,
}

/// What a signed-in session holds in memory.
struct Live {
    refresh_token: RefreshToken,
    identity_id: String,
    id_token: SecretString,
    claims: IdClaims,
}

/// How long before its expiry an id token is refreshed rather than used.
const ID_TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// What sign-out did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedOut {
    /// Whether a refresh token was revoked at the sign-in service.
    pub revoked: bool,
    /// The hosted UI `/logout` URL that also ends the browser's sign-in session.
    pub logout_url: Url,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("key", &self.inner.key)
            .field("store", &self.inner.store)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A signed-out session of `profile` whose sign-ins are saved in `store`.
    pub fn new(profile: Profile, store: SecretStore) -> Result<Self> {
        let inner = Arc::new(Inner {
            key: session_key(&profile),
            legacy_key: legacy_session_key(&profile),
            oauth: OAuthClient::new(&profile)?,
            pool: IdentityPool::new(&profile),
            profile,
            store,
            state: Mutex::new(None),
        });
        let credentials = RenewingCredentials::new(SessionCredentials::new(Arc::downgrade(&inner)));
        Ok(Self { inner, credentials })
    }

    /// The profile this session signs in to.
    pub fn profile(&self) -> &Profile {
        &self.inner.profile
    }

    /// Silent sign-in at start from the session saved in the keyring. `Ok(None)` when there is
    /// none; `auth.session_expired` (and the saved session forgotten) when it no longer works.
    pub async fn restore(&self) -> Result<Option<SessionInfo>> {
        let turn = self.inner.store.take_turn().await?;
        let Some(stored) = self.inner.load_saved().await? else {
            return Ok(None);
        };
        let tokens = match self.inner.oauth.refresh(&stored.refresh_token).await {
            Ok(tokens) => tokens,
            Err(err) => {
                if err.code == ErrorCode::AuthSessionExpired {
                    // Read during this turn: the saved token is the refused one.
                    self.inner.store.delete(&self.inner.key).await?;
                }
                return Err(err);
            }
        };
        let live = self
            .inner
            .live_from(
                tokens,
                stored.refresh_token,
                stored.identity_id,
                Saved::Already,
            )
            .await?;
        // Before taking the state: a refresh holding the state may be waiting for the turn.
        drop(turn);
        Ok(Some(self.inner.install(live).await))
    }

    /// Starts a sign-in whose answer goes to `redirect` (a registered callback of the profile).
    pub fn begin_sign_in(&self, redirect: &Url) -> AuthorizationRequest {
        self.inner.oauth.authorization_request(redirect)
    }

    /// Fails with `secrets.unavailable` when a sign-in could not be kept; the sign-ins here ask
    /// before the browser opens, and a front end showing the page itself should too.
    pub async fn check_store(&self) -> Result<()> {
        self.inner.store.check_available().await
    }

    /// Completes a sign-in with the callback URL it was answered with. Nothing is kept unless
    /// every step succeeds: code exchange, id token checks, identity id, saving to the store.
    /// The refresh token it replaces (of this process, or saved by another) is revoked then,
    /// so a sign-in leaves one live session behind, not two.
    pub async fn complete_sign_in(
        &self,
        request: AuthorizationRequest,
        callback: &Url,
    ) -> Result<SessionInfo> {
        let code = request.code_from(callback)?;
        let mut tokens = self.inner.oauth.exchange_code(request, code).await?;
        let refresh_token = tokens.refresh_token.take().ok_or_else(|| {
            Error::new(
                ErrorCode::AuthUnexpectedResponse,
                "the sign-in service returned no refresh token; enable the refresh token grant on the app client",
            )
        })?;
        let identity_id = self.inner.pool.get_id(&tokens.id_token).await?;
        let turn = self.inner.store.take_turn().await?;
        let saved = self.inner.load_saved().await.ok().flatten();
        let live = self
            .inner
            .live_from(tokens, refresh_token, identity_id, Saved::Not)
            .await?;
        drop(turn);
        self.credentials.clear().await;
        let replaced = self.inner.state.lock().await.take();
        let info = self.inner.install(live).await;
        let replaced = replaced
            .map(|live| live.refresh_token)
            .into_iter()
            .chain(saved.map(|saved| saved.refresh_token));
        self.inner.revoke_all(replaced).await;
        Ok(info)
    }

    /// The whole loopback sign-in: check the store can keep it, listen, let `open` show the
    /// page (browser, or print the URL), wait for the answer with this sign-in's state (at most
    /// `timeout`), complete.
    pub async fn sign_in_with_loopback(
        &self,
        open: impl FnOnce(&AuthorizationRequest, &LoopbackReceiver),
        timeout: Duration,
    ) -> Result<SessionInfo> {
        self.check_store().await?;
        let receiver = LoopbackReceiver::bind(&self.inner.profile).await?;
        let request = self.begin_sign_in(receiver.redirect());
        open(&request, &receiver);
        let callback = receiver.receive(request.state(), timeout).await?;
        self.complete_sign_in(request, &callback).await
    }

    /// The deep-link sign-in: the shell passes delivered URLs to `receiver.deliver`.
    pub async fn sign_in_with_deep_link(
        &self,
        receiver: &DeepLinkReceiver,
        open: impl FnOnce(&AuthorizationRequest),
        timeout: Duration,
    ) -> Result<SessionInfo> {
        let redirect = self.inner.profile.deep_link_redirect().ok_or_else(|| {
            Error::new(
                ErrorCode::ConfigInvalid,
                "the profile has no deep-link callback (such as cubby://auth/callback) in `redirect`",
            )
        })?;
        self.check_store().await?;
        let request = self.begin_sign_in(redirect);
        let wait = receiver.expect(request.state());
        open(&request);
        let callback = wait.wait(timeout).await?;
        self.complete_sign_in(request, &callback).await
    }

    /// Revokes the refresh tokens this session knows (its own, and the saved one, which another
    /// process may have rotated), forgets every local secret, and returns the hosted `/logout`
    /// URL to open if wanted. Local secrets are forgotten even when the sign-in service cannot
    /// be reached.
    pub async fn sign_out(&self) -> Result<SignedOut> {
        let live = self.inner.state.lock().await.take();
        self.credentials.clear().await;
        let turn = self.inner.store.take_turn().await?;
        let saved = self.inner.load_saved().await.ok().flatten();
        let forgotten = self.inner.store.delete(&self.inner.key).await;
        drop(turn);
        let mut tokens: Vec<RefreshToken> =
            live.map(|live| live.refresh_token).into_iter().collect();
        if let Some(saved) = saved.filter(|saved| {
            !tokens
                .iter()
                .any(|t| t.secret() == saved.refresh_token.secret())
        }) {
            tokens.push(saved.refresh_token);
        }
        let mut revoked = Ok(false);
        for token in &tokens {
            let result = self.inner.oauth.revoke(token).await;
            revoked = revoked.and(result.map(|()| true));
        }
        forgotten?;
        Ok(SignedOut {
            revoked: revoked?,
            logout_url: self.logout_url(),
        })
    }

    /// The hosted UI `/logout` URL. Its `logout_uri` is the profile's sign-out URL, or else the
    /// one registered beside the first callback: the callback's sibling `signed-out`
    /// (`http://localhost:53682/signed-out`, `cubby://auth/signed-out`).
    pub fn logout_url(&self) -> Url {
        let profile = &self.inner.profile;
        let mut url = profile.hosted_ui_url("logout");
        let mut query = url.query_pairs_mut();
        query.append_pair("client_id", &profile.client_id);
        if let Some(sign_out) = self.sign_out_url() {
            query.append_pair("logout_uri", sign_out.as_str());
        }
        drop(query);
        url
    }

    fn sign_out_url(&self) -> Option<Url> {
        let profile = &self.inner.profile;
        profile.sign_out_url.clone().or_else(|| {
            profile
                .redirects
                .first()
                .and_then(|r| r.url().join("signed-out").ok())
        })
    }

    /// Ends the browser's own sign-in too: `open`s the hosted [`Session::logout_url`] and, when
    /// the sign-out URL is on loopback, answers the browser coming back with a signed-out page
    /// (waiting at most `timeout`). Whether that page was shown.
    pub async fn sign_out_in_browser(
        &self,
        open: impl FnOnce(&Url) -> Result<()>,
        timeout: Duration,
    ) -> Result<bool> {
        let listener = match self.sign_out_url() {
            Some(url) if url.scheme() == "http" => match SignedOutListener::bind(&url).await {
                Ok(listener) => Some(listener),
                Err(err) => {
                    tracing::warn!(%err, "no signed-out page this time");
                    None
                }
            },
            _ => None,
        };
        open(&self.logout_url())?;
        Ok(match listener {
            Some(listener) => listener.serve(timeout).await,
            None => false,
        })
    }

    /// Who is signed in, or `None`.
    pub async fn info(&self) -> Option<SessionInfo> {
        let expiry = self.credentials.expiry().await;
        let state = self.inner.state.lock().await;
        state
            .as_ref()
            .map(|live| SessionInfo::new(&self.inner.profile, live, expiry))
    }

    /// Temporary AWS credentials for the person's folder, renewed when due.
    pub async fn credentials(&self) -> Result<Credentials> {
        self.credentials.credentials().await
    }

    /// The provider to give AWS clients (`credentials_provider(...)`); shares this session's cache.
    pub fn credentials_provider(&self) -> RenewingCredentials<SessionCredentials> {
        self.credentials.clone()
    }

    /// The uncached source behind the provider, for callers that cache on their own.
    pub fn credential_source(&self) -> SessionCredentials {
        SessionCredentials::new(Arc::downgrade(&self.inner))
    }
}

/// Whether the refresh token a live session starts from is already in the store.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Saved {
    Already,
    Not,
}

impl Inner {
    /// A live session from checked tokens. The store is written only when it lacks the refresh
    /// token: after a sign-in, or when the refresh rotated it. A restore that kept its token
    /// writes nothing (each keyring write took two D-Bus connections to the Secret Service).
    async fn live_from(
        &self,
        tokens: TokenSet,
        refresh_token: RefreshToken,
        identity_id: String,
        saved: Saved,
    ) -> Result<Live> {
        let rotated = tokens
            .refresh_token
            .filter(|new| new.secret() != refresh_token.secret());
        let unsaved = rotated.is_some() || saved == Saved::Not;
        let refresh_token = rotated.unwrap_or(refresh_token);
        if unsaved {
            self.store
                .save(
                    &self.key,
                    &StoredSession {
                        refresh_token: refresh_token.clone(),
                        identity_id: identity_id.clone(),
                    },
                )
                .await?;
        }
        Ok(Live {
            refresh_token,
            identity_id,
            id_token: tokens.id_token,
            claims: tokens.claims,
        })
    }

    /// The session saved for this profile, moving one an earlier version saved. During a turn.
    async fn load_saved(&self) -> Result<Option<StoredSession>> {
        self.store.load_moving(&self.key, &self.legacy_key).await
    }

    /// Revokes each distinct token of `tokens`, best effort: a token the service cannot be
    /// told about is already forgotten here and expires on its own.
    async fn revoke_all(&self, tokens: impl Iterator<Item = RefreshToken>) {
        let mut revoked: Vec<RefreshToken> = Vec::new();
        for token in tokens {
            if revoked.iter().any(|t| t.secret() == token.secret()) {
                continue;
            }
            if let Err(err) = self.oauth.revoke(&token).await {
                tracing::warn!(%err, "could not revoke the session this sign-in replaced");
            }
            revoked.push(token);
        }
    }

    async fn install(&self, live: Live) -> SessionInfo {
        let info = SessionInfo::new(&self.profile, &live, None);
        tracing::info!(identity_id = %live.identity_id, "signed in");
        *self.state.lock().await = Some(live);
        info
    }

    /// The identity id and an id token valid for at least a minute, refreshed when needed (or
    /// when `force`d after the identity pool refused one). A refused refresh ends the session.
    async fn id_token(&self, force: bool) -> Result<(String, SecretString)> {
        let mut state = self.state.lock().await;
        let live = state.as_mut().ok_or_else(|| {
            Error::new(ErrorCode::AuthNotSignedIn, "not signed in; sign in first")
        })?;
        let fresh_enough =
            live.claims.expires_at() > std::time::SystemTime::now() + ID_TOKEN_MARGIN;
        if force || !fresh_enough {
            let _turn = self.store.take_turn().await?;
            // Another process may have refreshed (and with rotation replaced) the saved token
            // since this one read it; it is this session's own while it is the same person's.
            let saved = self
                .store
                .load(&self.key)
                .await?
                .filter(|saved| saved.identity_id == live.identity_id);
            let refresh_token = saved
                .as_ref()
                .map_or(&live.refresh_token, |saved| &saved.refresh_token)
                .clone();
            match self.oauth.refresh(&refresh_token).await {
                Ok(tokens) => {
                    let rotated = tokens
                        .refresh_token
                        .filter(|new| new.secret() != refresh_token.secret());
                    // A session saved since by someone else, or forgotten, is not overwritten.
                    if let Some(rotated) = rotated.as_ref().filter(|_| saved.is_some()) {
                        self.store
                            .save(
                                &self.key,
                                &StoredSession {
                                    refresh_token: rotated.clone(),
                                    identity_id: live.identity_id.clone(),
                                },
                            )
                            .await?;
                    }
                    live.refresh_token = rotated.unwrap_or(refresh_token);
                    live.id_token = tokens.id_token;
                    live.claims = tokens.claims;
                }
                Err(err) if err.code == ErrorCode::AuthSessionExpired => {
                    *state = None;
                    if saved.is_some() {
                        // Read during this turn: the saved token is the refused one.
                        self.store.delete(&self.key).await?;
                    }
                    return Err(err);
                }
                Err(err) => return Err(err),
            }
        }
        Ok((live.identity_id.clone(), live.id_token.clone()))
    }

    /// Ends the session after the identity pool refused its freshly refreshed id token, and
    /// forgets the saved session if it is still the one that token came from.
    async fn end_refused(&self) -> Result<()> {
        let Some(live) = self.state.lock().await.take() else {
            return Ok(());
        };
        let _turn = self.store.take_turn().await?;
        let saved = self.store.load(&self.key).await?;
        if saved.is_some_and(|saved| saved.refresh_token.secret() == live.refresh_token.secret()) {
            self.store.delete(&self.key).await?;
        }
        Ok(())
    }

    /// Fresh credentials: one retry with a refreshed id token when the pool refuses the current
    /// one, then signed out.
    async fn fetch_credentials(&self) -> Result<Credentials> {
        let (identity_id, id_token) = self.id_token(false).await?;
        match self.pool.credentials(&identity_id, &id_token).await {
            Err(err) if err.code == ErrorCode::AuthSessionExpired => {
                tracing::info!("identity pool refused the id token; refreshing it once");
                let (identity_id, id_token) = self.id_token(true).await?;
                match self.pool.credentials(&identity_id, &id_token).await {
                    Err(err) if err.code == ErrorCode::AuthSessionExpired => {
                        self.end_refused().await?;
                        Err(Error::session_expired())
                    }
                    other => other,
                }
            }
            other => other,
        }
    }
}

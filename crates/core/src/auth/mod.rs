//! Sign-in with the Cognito hosted UI: the authorization request (PKCE S256, state, nonce), the
//! two ways the answer comes back (loopback listener, deep link), the token endpoint and the
//! id token checks. RFC 8252 and RFC 9700 are the bar; PROTOCOLS.md §1-§2 the facts.

mod browser;
mod callback;
mod client;
mod deep_link;
mod http;
mod id_token;
mod loopback;
mod pages;
mod request;
mod tokens;

pub use browser::open as open_in_browser;
pub use callback::authorization_code;
pub use client::OAuthClient;
pub use deep_link::DeepLinkReceiver;
pub use id_token::{IdClaims, IdTokenVerifier};
pub use loopback::{DEFAULT_TIMEOUT as SIGN_IN_TIMEOUT, LoopbackReceiver, SignedOutListener};
pub use request::AuthorizationRequest;
pub use tokens::TokenSet;

//! Sign-in with the Cognito hosted UI: the authorization request (PKCE S256, state, nonce), the
//! two ways the answer comes back (loopback listener, deep link), the token endpoint and the
//! id token checks. RFC 8252 and RFC 9700 are the bar; PROTOCOLS.md §1-§2 the facts.

pub mod browser;
pub mod callback;
pub mod client;
pub mod deep_link;
mod http;
pub mod id_token;
pub mod loopback;
pub mod pages;
pub mod request;
pub mod tokens;

pub use callback::authorization_code;
pub use client::OAuthClient;
pub use deep_link::DeepLinkReceiver;
pub use id_token::{IdClaims, IdTokenVerifier};
pub use loopback::LoopbackReceiver;
pub use request::AuthorizationRequest;
pub use tokens::TokenSet;

//! cubby-localcloud: what AWS runs for Cubby (Cognito hosted sign-in, the identity pool, S3),
//! on loopback, so the app works without an AWS account and every test talks real protocols.

pub mod credentials;

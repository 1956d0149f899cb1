//! The user pool's RS256 signing key: generated once, kept in the data directory, published
//! as a JWKS, used to sign id and access tokens and to check them at the identity pool.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::RsaPrivateKey;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::LocalCloudError;

const KEY_FILE: &str = "signing-key.pem";

pub struct SigningKey {
    pub kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    n: String,
    e: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Loads the key from the data directory, generating it on first start.
    pub fn load_or_generate(data_dir: &Path) -> Result<Self, LocalCloudError> {
        let path = data_dir.join(KEY_FILE);
        let io_err = |source| LocalCloudError::DataDir {
            path: path.clone(),
            source,
        };
        let key = match std::fs::read_to_string(&path) {
            Ok(pem) => RsaPrivateKey::from_pkcs1_pem(&pem).map_err(|err| {
                LocalCloudError::CorruptState {
                    path: path.clone(),
                    reason: err.to_string(),
                }
            })?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048)
                    .map_err(|err| LocalCloudError::Config(format!("RSA key generation: {err}")))?;
                let pem = key
                    .to_pkcs1_pem(LineEnding::LF)
                    .map_err(|err| LocalCloudError::Config(format!("RSA key encoding: {err}")))?;
                let tmp = path.with_extension("pem.tmp");
                write_private(&tmp, pem.as_bytes()).map_err(io_err)?;
                std::fs::rename(&tmp, &path).map_err(io_err)?;
                key
            }
            Err(err) => return Err(io_err(err)),
        };
        Self::from_private_key(&key)
    }

    pub fn from_private_key(key: &RsaPrivateKey) -> Result<Self, LocalCloudError> {
        let pem = key
            .to_pkcs1_pem(LineEnding::LF)
            .map_err(|err| LocalCloudError::Config(format!("RSA key encoding: {err}")))?;
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes())
            .map_err(|err| LocalCloudError::Config(format!("signing key: {err}")))?;
        let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        let decoding = DecodingKey::from_rsa_components(&n, &e)
            .map_err(|err| LocalCloudError::Config(format!("verification key: {err}")))?;
        // A stable key id derived from the public key, as JWKS consumers cache by kid.
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(format!("{n}.{e}").as_bytes())[..16]);
        Ok(Self {
            kid,
            encoding,
            decoding,
            n,
            e,
        })
    }

    pub fn sign(&self, claims: &impl Serialize) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("RS256 signing cannot fail")
    }

    /// Checks signature and expiry only; callers check issuer, audience and token use
    /// themselves to give Cognito's specific error messages.
    pub fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<T, jsonwebtoken::errors::Error> {
        let header = jsonwebtoken::decode_header(token)?;
        if header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err(jsonwebtoken::errors::ErrorKind::InvalidSignature.into());
        }
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_aud = false;
        validation.leeway = 0;
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        jsonwebtoken::decode::<T>(token, &self.decoding, &validation).map(|data| data.claims)
    }

    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({
            "keys": [{
                "kid": self.kid,
                "alg": "RS256",
                "kty": "RSA",
                "use": "sig",
                "n": self.n,
                "e": self.e,
            }]
        })
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_kept_and_tokens_verify_only_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let key = SigningKey::load_or_generate(dir.path()).unwrap();
        let again = SigningKey::load_or_generate(dir.path()).unwrap();
        assert_eq!(key.kid, again.kid);
        let token = key.sign(&serde_json::json!({"sub": "a"}));
        let claims: serde_json::Value = again.verify(&token).unwrap();
        assert_eq!(claims["sub"], "a");

        let other_dir = tempfile::tempdir().unwrap();
        let other = SigningKey::load_or_generate(other_dir.path()).unwrap();
        assert!(other.verify::<serde_json::Value>(&token).is_err());
        assert_eq!(key.jwks()["keys"][0]["kid"], key.kid.as_str());
    }
}

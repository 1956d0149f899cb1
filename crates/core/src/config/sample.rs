//! A config with every kind of value, for the tests of each part.

pub const GOOD: &str = r#"
default_profile = "work"

[profiles.work]
region = "eu-west-1"
user_pool_id = "eu-west-1_AbC123xyz"
client_id = "4jd8t1m2v9q0a7b3c5e6f8g2h1"
hosted_ui = "https://myapp.auth.eu-west-1.amazoncognito.com"
identity_pool_id = "eu-west-1:1b2c3d4e-0000-4000-8000-123456789abc"
bucket = "cubby-files"
redirect = ["http://localhost:53682/callback", "cubby://auth/callback"]
sign_out_url = "http://localhost:53682/signed-out"

[profiles.local]
region = "us-east-1"
user_pool_id = "us-east-1_local"
client_id = "abc"
hosted_ui = "http://127.0.0.1:4566"
identity_pool_id = "us-east-1:1b2c3d4e-0000-4000-8000-123456789abc"
bucket = "cubby"
folder = "private/{identity_id}/"
redirect = "http://localhost:53682/callback"
scopes = ["openid", "email"]

[profiles.local.endpoints]
issuer = "http://127.0.0.1:4566/us-east-1_local"
s3 = "http://127.0.0.1:4566"
identity = "http://127.0.0.1:4566/"
"#;

/// [`GOOD`] with every `field = ...` line's value replaced.
pub fn with_field(field: &str, value: &str) -> String {
    GOOD.lines()
        .map(|line| {
            if line.starts_with(&format!("{field} = ")) {
                format!("{field} = {value}")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

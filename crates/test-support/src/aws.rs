//! AWS SDK clients pointed at a profile's endpoints, as any other S3 or Cognito client would
//! reach them.

use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_s3::config::{BehaviorVersion, Region};
use cubby_core::config::Profile;
use cubby_localcloud::LocalCloud;

/// The S3 client settings for the profile's S3 endpoint (path-style, its region), for tests
/// that change more (retries) before building.
pub fn s3_config(
    profile: &Profile,
    credentials: impl ProvideCredentials + 'static,
) -> aws_sdk_s3::config::Builder {
    let endpoint = profile.endpoints.s3.as_ref().expect("an S3 endpoint");
    aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(profile.region.clone()))
        .endpoint_url(endpoint.as_str().trim_end_matches('/'))
        .force_path_style(true)
        .credentials_provider(credentials)
}

/// An S3 client for the profile's S3 endpoint with `credentials`.
pub fn s3_client(
    profile: &Profile,
    credentials: impl ProvideCredentials + 'static,
) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(s3_config(profile, credentials).build())
}

/// The Cognito Identity client for the profile's identity pool endpoint (no credentials: the
/// calls tests make are signed by the id token they carry).
pub fn identity_client(profile: &Profile) -> aws_sdk_cognitoidentity::Client {
    let endpoint = profile
        .endpoints
        .identity
        .as_ref()
        .expect("an identity endpoint");
    let config = aws_sdk_cognitoidentity::Config::builder()
        .behavior_version(aws_sdk_cognitoidentity::config::BehaviorVersion::latest())
        .region(aws_sdk_cognitoidentity::config::Region::new(
            profile.region.clone(),
        ))
        .endpoint_url(endpoint.as_str())
        .build();
    aws_sdk_cognitoidentity::Client::from_conf(config)
}

/// localcloud's admin credential, which may touch the whole bucket.
pub fn admin_credentials(cloud: &LocalCloud) -> Credentials {
    let admin = cloud.admin();
    Credentials::new(
        admin.access_key_id,
        admin.secret_access_key,
        None,
        None,
        "localcloud-admin",
    )
}

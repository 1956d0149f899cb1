//! The whole chain with unmodified AWS SDK crates, as Cubby will run it: authorize with PKCE
//! (robot browser), token, GetId, GetCredentialsForIdentity, then S3 put, list, get and a
//! 20 MiB multipart upload inside the user's folder. Against the in-process server and the
//! `cubby-localcloud` binary alike.

use std::collections::HashMap;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use cubby_core::config::Profile;
use cubby_test_support::aws::{identity_client, s3_client};
use cubby_test_support::oauth::sign_in;
use cubby_test_support::{ALICE, TestCloud};

async fn whole_chain(profile: &Profile) {
    let tokens = sign_in(profile).await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let logins = HashMap::from([(profile.logins_key(), id_token.to_owned())]);
    let identity = identity_client(profile);
    let identity_id = identity
        .get_id()
        .identity_pool_id(&profile.identity_pool_id)
        .set_logins(Some(logins.clone()))
        .send()
        .await
        .unwrap()
        .identity_id
        .unwrap();
    let creds = identity
        .get_credentials_for_identity()
        .identity_id(&identity_id)
        .set_logins(Some(logins))
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    let credentials = aws_credential_types::Credentials::new(
        creds.access_key_id.unwrap(),
        creds.secret_key.unwrap(),
        creds.session_token,
        None,
        "interop-test",
    );
    let s3 = s3_client(profile, credentials);
    let folder = profile.folder.for_identity(&identity_id);
    let bucket = &profile.bucket;

    let small_key = format!("{folder}notes/hello.txt");
    s3.put_object()
        .bucket(bucket)
        .key(&small_key)
        .body(ByteStream::from_static(b"hello, cubby"))
        .send()
        .await
        .unwrap();
    let got = s3
        .get_object()
        .bucket(bucket)
        .key(&small_key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.body.collect().await.unwrap().into_bytes().as_ref(),
        b"hello, cubby"
    );

    let big_key = format!("{folder}video.bin");
    let part_size = 8 * 1024 * 1024;
    let data: Vec<u8> = (0..20 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let upload = s3
        .create_multipart_upload()
        .bucket(bucket)
        .key(&big_key)
        .send()
        .await
        .unwrap();
    let upload_id = upload.upload_id().unwrap();
    let mut parts = Vec::new();
    for (index, chunk) in data.chunks(part_size).enumerate() {
        let number = index as i32 + 1;
        let part = s3
            .upload_part()
            .bucket(bucket)
            .key(&big_key)
            .upload_id(upload_id)
            .part_number(number)
            .body(ByteStream::from(chunk.to_vec()))
            .send()
            .await
            .unwrap();
        parts.push(
            CompletedPart::builder()
                .part_number(number)
                .set_e_tag(part.e_tag)
                .set_checksum_crc32(part.checksum_crc32)
                .build(),
        );
    }
    s3.complete_multipart_upload()
        .bucket(bucket)
        .key(&big_key)
        .upload_id(upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let got = s3
        .get_object()
        .bucket(bucket)
        .key(&big_key)
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_length(), Some(data.len() as i64));
    assert!(
        got.body.collect().await.unwrap().into_bytes() == data,
        "multipart object round trip"
    );

    let listed = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(&folder)
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, [small_key.as_str(), big_key.as_str()], "in key order");

    let denied = s3
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_s3::error::ProvideErrorMetadata::code(&denied),
        Some("AccessDenied"),
        "the bucket root is not listable"
    );
}

#[tokio::test]
async fn whole_chain_in_process() {
    let sb = TestCloud::start().await;
    whole_chain(&sb.profile).await;
}

/// The binary, killed when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn whole_chain_against_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cubby-localcloud"))
        .args(["--data", dir.path().to_str().unwrap(), "--json"])
        .args(["--user", &format!("{}:{}", ALICE.email, ALICE.password)])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);
    let first_line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        line
    })
    .await
    .unwrap();
    let printed: serde_json::Value = serde_json::from_str(&first_line).unwrap();
    assert!(
        printed["admin"]["access_key_id"]
            .as_str()
            .unwrap()
            .starts_with("AKIA")
    );
    let mut config = toml::map::Map::new();
    let mut profiles = toml::map::Map::new();
    profiles.insert(
        "sandbox".to_owned(),
        toml::Value::try_from(&printed["profile"]).unwrap(),
    );
    config.insert("profiles".to_owned(), toml::Value::Table(profiles));
    let parsed = cubby_core::config::Config::parse(&toml::to_string(&config).unwrap()).unwrap();
    whole_chain(&parsed.profiles["sandbox"]).await;
}

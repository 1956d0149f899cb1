//! infra/cubby.yaml through moto's CloudFormation (the moto the storage suite runs), with the
//! aws CLI as a person would: create the stack, `describe-stacks`, import the outputs.
//!
//! moto 5.1 creates the template's `AWS::S3::Bucket` and `AWS::IAM::Role` and skips, with a
//! warning, every Cognito resource and the bucket policy; so the outputs lack the pools' ids and
//! the import must name exactly those (the Cognito part is checked by cfn-lint only). Should moto
//! learn them, this test fails and should then import the profile.

use std::path::Path;
use std::process::Output;

use cubby_e2e::{cubby_binary, run, stderr_of, stdout_of};
use cubby_test_support::moto::Moto;
use serde_json::Value;
use tokio::process::Command;

const TEMPLATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/cubby.yaml");

/// `aws ARGS` against moto with its fake credentials and nothing from the environment.
async fn aws(moto: &Moto, home: &Path, args: &[&str]) -> Output {
    let mut command = Command::new("aws");
    for name in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_CA_BUNDLE",
    ] {
        command.env_remove(name);
    }
    command
        .args([
            "--endpoint-url",
            moto.endpoint.as_str(),
            "--region",
            "us-east-1",
        ])
        .args(args)
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .kill_on_drop(true);
    run(&mut command).await
}

#[tokio::test]
async fn moto_creates_the_stack_and_import_names_the_outputs_it_cannot_make() {
    let moto = Moto::start().await;
    let dir = tempfile::tempdir().unwrap();
    let created = aws(
        &moto,
        dir.path(),
        &[
            "cloudformation",
            "create-stack",
            "--stack-name",
            "cubby",
            "--template-body",
            &format!("file://{TEMPLATE}"),
            "--capabilities",
            "CAPABILITY_IAM",
            "--parameters",
            "ParameterKey=DomainPrefix,ParameterValue=my-cubby",
        ],
    )
    .await;
    stdout_of(&created);
    let described = stdout_of(
        &aws(
            &moto,
            dir.path(),
            &["cloudformation", "describe-stacks", "--stack-name", "cubby"],
        )
        .await,
    );
    let stacks: Value = serde_json::from_str(&described).unwrap();
    assert_eq!(stacks["Stacks"][0]["StackStatus"], "CREATE_COMPLETE");
    let bucket = stacks["Stacks"][0]["Outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["OutputKey"] == "Bucket")
        .and_then(|o| o["OutputValue"].as_str())
        .expect("a Bucket output")
        .to_owned();
    stdout_of(
        &aws(
            &moto,
            dir.path(),
            &["s3api", "head-bucket", "--bucket", &bucket],
        )
        .await,
    );

    let outputs = dir.path().join("cubby-stack.json");
    std::fs::write(&outputs, described).unwrap();
    let config = dir.path().join("cubby.toml");
    let import = run(Command::new(cubby_binary())
        .arg("--config")
        .arg(&config)
        .args(["profile", "import", "--stack-outputs"])
        .arg(&outputs)
        .env_remove("CUBBY_PROFILE")
        .env_remove("CUBBY_CONFIG"))
    .await;
    assert_eq!(import.status.code(), Some(1));
    let message = stderr_of(&import);
    assert!(
        message.contains("stack 'cubby' lacks the output(s) UserPoolId, ClientId, IdentityPoolId;"),
        "{message}"
    );
    assert!(!config.exists(), "nothing written");
}

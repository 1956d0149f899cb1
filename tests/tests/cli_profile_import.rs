//! `cubby profile import --stack-outputs`: the outputs of a stack of infra/cubby.yaml, as
//! `aws cloudformation describe-stacks` prints them, become a profile a person signs in with.
//! The outputs here name a localcloud's pools and bucket; only its endpoints, which a stack on
//! AWS does not need, are set afterwards. Needs a Secret Service (see cli_login.rs).

use cubby_core::config::Config;
use std::path::Path;

use cubby_e2e::{Setup, cubby_binary, run, stderr_of, stdout_of};
use cubby_test_support::ALICE;
use cubby_test_support::keyring::require_secret_service;
use serde_json::json;
use tokio::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_stack_outputs_sign_in_against_localcloud() {
    require_secret_service();
    let setup = Setup::start().await;
    let expected = Config::load(&setup.config).unwrap().profiles["local"].clone();
    let redirects: Vec<String> = expected.redirects.iter().map(ToString::to_string).collect();
    let output = |key: &str, value: &str| json!({"OutputKey": key, "OutputValue": value, "Description": "..."});
    let describe_stacks = json!({"Stacks": [{
        "StackName": "cubby-test",
        "StackStatus": "CREATE_COMPLETE",
        "Outputs": [
            output("Region", &expected.region),
            output("UserPoolId", &expected.user_pool_id),
            output("ClientId", &expected.client_id),
            output("HostedUi", expected.hosted_ui.as_str()),
            output("IdentityPoolId", &expected.identity_pool_id),
            output("Bucket", &expected.bucket),
            output("Redirects", &redirects.join(",")),
            output("SignOutUrl", expected.sign_out_url.as_ref().unwrap().as_str()),
        ],
    }]});
    let outputs_file = setup.dir.path().join("outputs.json");
    std::fs::write(&outputs_file, describe_stacks.to_string()).unwrap();
    std::fs::remove_file(&setup.config).unwrap();

    let imported = stdout_of(
        &run(&mut import(
            &setup,
            &outputs_file,
            &["--name", "local", "--default"],
        ))
        .await,
    );
    assert!(imported.contains("Added profile 'local'"), "{imported}");
    let mut config = Config::load(&setup.config).unwrap();
    assert_eq!(config.default_profile.as_deref(), Some("local"));
    let profile = config.profiles.get_mut("local").unwrap();
    profile.endpoints = expected.endpoints.clone();
    assert_eq!(profile, &expected, "every value came from the outputs");
    config.save(&setup.config).unwrap();

    let login = setup.login(ALICE).await;
    assert!(String::from_utf8_lossy(&login.stdout).contains("Signed in as alice@example.com"));
    let whoami = stdout_of(&run(&mut setup.cubby(&["whoami"])).await);
    assert!(whoami.contains(ALICE.email), "{whoami}");

    // Without --name, the profile is named after the stack.
    stdout_of(&run(&mut import(&setup, &outputs_file, &[])).await);
    assert!(
        Config::load(&setup.config)
            .unwrap()
            .profiles
            .contains_key("cubby-test")
    );
}

#[tokio::test]
async fn a_broken_outputs_file_gets_a_clear_error() {
    let setup = Setup::start().await;
    let outputs_file = setup.dir.path().join("outputs.json");
    let before = std::fs::read_to_string(&setup.config).unwrap();
    for (text, expected) in [
        (
            r#"{"Stacks":[{"StackName":"half","Outputs":[{"OutputKey":"Region","OutputValue":"us-east-1"}]}]}"#,
            "stack 'half' lacks the output(s) UserPoolId, ClientId, HostedUi, IdentityPoolId, Bucket, Redirects, SignOutUrl",
        ),
        (
            "Stacks: not json",
            "is not the JSON of `aws cloudformation describe-stacks",
        ),
    ] {
        std::fs::write(&outputs_file, text).unwrap();
        let refused = run(&mut import(&setup, &outputs_file, &["--name", "other"])).await;
        assert_eq!(refused.status.code(), Some(1));
        let message = stderr_of(&refused);
        assert!(message.contains("[config.invalid]"), "{message}");
        assert!(message.contains(expected), "{message}");
    }
    assert_eq!(
        std::fs::read_to_string(&setup.config).unwrap(),
        before,
        "config untouched"
    );
}

/// `cubby --config FILE profile import --stack-outputs OUTPUTS ARGS...`
fn import(setup: &Setup, outputs: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(cubby_binary());
    command
        .arg("--config")
        .arg(&setup.config)
        .args(["profile", "import", "--stack-outputs"])
        .arg(outputs)
        .args(args)
        .env_remove("CUBBY_PROFILE")
        .env_remove("CUBBY_CONFIG");
    command
}

//! `cubby profile list|show|add|remove` on a config file of its own.

use std::process::Output;

use cubby_e2e::{cubby_binary, stdout_of};
use std::process::Command;

const PROFILE: &str = r#"
[profiles.anything]
region = "eu-west-1"
user_pool_id = "eu-west-1_AbC123xyz"
client_id = "4jd8t1m2v9q0a7b3c5e6f8g2h1"
hosted_ui = "https://myapp.auth.eu-west-1.amazoncognito.com"
identity_pool_id = "eu-west-1:1b2c3d4e-0000-4000-8000-123456789abc"
bucket = "cubby-files"
redirect = ["http://localhost:53682/callback", "cubby://auth/callback"]
"#;

fn cubby(config: &std::path::Path, args: &[&str]) -> Output {
    Command::new(cubby_binary())
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("CUBBY_PROFILE")
        .env_remove("CUBBY_CONFIG")
        .output()
        .unwrap()
}

#[test]
fn add_list_show_and_remove_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sub/cubby.toml");
    let source = dir.path().join("work.toml");
    std::fs::write(&source, PROFILE).unwrap();
    let source = source.to_str().unwrap();

    stdout_of(&cubby(
        &config,
        &["profile", "add", "work", "--from", source, "--default"],
    ));
    stdout_of(&cubby(
        &config,
        &["profile", "add", "spare", "--from", source],
    ));
    assert_eq!(
        stdout_of(&cubby(&config, &["profile", "list"])),
        "  spare\n* work\n"
    );
    let shown = stdout_of(&cubby(&config, &["profile", "show"]));
    assert!(
        shown.contains("[profiles.work]") && shown.contains("cubby-files"),
        "{shown}"
    );

    let again = cubby(&config, &["profile", "add", "work", "--from", source]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, PROFILE.replace("eu-west-1_AbC123xyz", "nope")).unwrap();
    let refused = cubby(
        &config,
        &["profile", "add", "bad", "--from", bad.to_str().unwrap()],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("[config.invalid]"));

    stdout_of(&cubby(&config, &["profile", "remove", "work"]));
    assert_eq!(
        stdout_of(&cubby(&config, &["profile", "list"])),
        "  spare\n"
    );
    let gone = cubby(&config, &["profile", "remove", "work"]);
    assert_eq!(gone.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gone.stderr).contains("[config.profile_not_found]"));
}

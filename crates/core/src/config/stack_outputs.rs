//! A profile from the outputs of Cubby's CloudFormation stack (`infra/cubby.yaml`), as
//! `aws cloudformation describe-stacks` prints them, so nobody copies ids by hand.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::edit::ProfileDraft;
use super::types::DEFAULT_FOLDER;
use crate::error::{Error, ErrorCode, Result};

/// The outputs a profile needs: the keys of the template's `Outputs`.
const REQUIRED: [&str; 8] = [
    "Region",
    "UserPoolId",
    "ClientId",
    "HostedUi",
    "IdentityPoolId",
    "Bucket",
    "Redirects",
    "SignOutUrl",
];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeStacks {
    stacks: Vec<Stack>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Stack {
    stack_name: String,
    #[serde(default)]
    outputs: Vec<Output>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Output {
    output_key: String,
    output_value: String,
}

impl ProfileDraft {
    /// The profile described by one stack in `describe-stacks` JSON, named after the stack;
    /// `source` names the file in messages. Every missing output is named at once; the
    /// values are checked by [`ProfileDraft::check`].
    pub fn from_stack_outputs(text: &str, source: &str) -> Result<Self> {
        let invalid = |message: String| Error::new(ErrorCode::ConfigInvalid, message);
        let parsed: DescribeStacks = serde_json::from_str(text).map_err(|err| {
            invalid(format!(
                "{source} is not the JSON of `aws cloudformation describe-stacks --stack-name NAME` ({err})"
            ))
        })?;
        let mut stacks = parsed.stacks.into_iter();
        let stack = match (stacks.next(), stacks.next()) {
            (Some(stack), None) => stack,
            (None, _) => return Err(invalid(format!("{source} describes no stack"))),
            _ => {
                return Err(invalid(format!(
                    "{source} describes several stacks; run describe-stacks with --stack-name NAME"
                )));
            }
        };
        let mut outputs: BTreeMap<String, String> = stack
            .outputs
            .into_iter()
            .map(|o| (o.output_key, o.output_value))
            .collect();
        let missing: Vec<&str> = REQUIRED
            .into_iter()
            .filter(|key| !outputs.contains_key(*key))
            .collect();
        if !missing.is_empty() {
            return Err(invalid(format!(
                "{source}: stack '{}' lacks the output(s) {}; is it a stack of infra/cubby.yaml, and has its creation finished (`aws cloudformation wait stack-create-complete`)?",
                stack.stack_name,
                missing.join(", ")
            )));
        }
        let mut take = |key: &str| outputs.remove(key).unwrap_or_default();
        Ok(Self {
            region: take("Region"),
            user_pool_id: take("UserPoolId"),
            client_id: take("ClientId"),
            hosted_ui: take("HostedUi"),
            identity_pool_id: take("IdentityPoolId"),
            bucket: take("Bucket"),
            redirects: take("Redirects").split(',').map(str::to_owned).collect(),
            sign_out_url: Some(take("SignOutUrl")),
            folder: outputs
                .remove("Folder")
                .unwrap_or_else(|| DEFAULT_FOLDER.to_owned()),
            name: stack.stack_name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Redirect;

    const GOOD: &str = r#"{"Stacks": [{
        "StackName": "cubby",
        "StackStatus": "CREATE_COMPLETE",
        "Outputs": [
            {"OutputKey": "Region", "OutputValue": "eu-west-1", "Description": "Region"},
            {"OutputKey": "UserPoolId", "OutputValue": "eu-west-1_AbC123xyz"},
            {"OutputKey": "ClientId", "OutputValue": "4jd8t1m2v9q0a7b3c5e6f8g2h1"},
            {"OutputKey": "HostedUi", "OutputValue": "https://myapp.auth.eu-west-1.amazoncognito.com"},
            {"OutputKey": "IdentityPoolId", "OutputValue": "eu-west-1:1b2c3d4e-0000-4000-8000-123456789abc"},
            {"OutputKey": "Bucket", "OutputValue": "cubby-bucket-1x2y3z"},
            {"OutputKey": "Redirects", "OutputValue": "http://localhost:53682/callback,http://localhost:53683/callback,cubby://auth/callback"},
            {"OutputKey": "SignOutUrl", "OutputValue": "http://localhost:53682/signed-out"}
        ]}]}"#;

    #[test]
    fn a_finished_stack_becomes_a_profile_named_after_it() {
        let (name, profile) = ProfileDraft::from_stack_outputs(GOOD, "out.json")
            .unwrap()
            .check(None)
            .unwrap();
        assert_eq!(name, "cubby");
        assert_eq!(profile.user_pool_id, "eu-west-1_AbC123xyz");
        assert_eq!(profile.bucket, "cubby-bucket-1x2y3z");
        assert_eq!(profile.folder.as_str(), DEFAULT_FOLDER);
        assert_eq!(profile.redirects.len(), 3);
        assert!(matches!(profile.redirects[2], Redirect::DeepLink(_)));
        assert_eq!(
            profile.sign_out_url.unwrap().as_str(),
            "http://localhost:53682/signed-out"
        );
    }

    #[test]
    fn every_missing_output_is_named() {
        let text = GOOD
            .replace(r#""OutputKey": "ClientId""#, r#""OutputKey": "Other""#)
            .replace(r#""OutputKey": "Bucket""#, r#""OutputKey": "Else""#);
        let err = ProfileDraft::from_stack_outputs(&text, "out.json").unwrap_err();
        assert_eq!(err.code, ErrorCode::ConfigInvalid);
        assert!(
            err.message
                .contains("stack 'cubby' lacks the output(s) ClientId, Bucket"),
            "{}",
            err.message
        );
        let unfinished = r#"{"Stacks":[{"StackName":"cubby","StackStatus":"CREATE_IN_PROGRESS"}]}"#;
        let err = ProfileDraft::from_stack_outputs(unfinished, "out.json").unwrap_err();
        assert!(
            err.message.contains("stack-create-complete"),
            "{}",
            err.message
        );
    }

    #[test]
    fn broken_json_and_stack_counts_are_refused() {
        for (text, expected) in [
            (
                "{not json",
                "is not the JSON of `aws cloudformation describe-stacks",
            ),
            (r#"{"Stacks": []}"#, "describes no stack"),
            (
                r#"{"Stacks": [{"StackName": "a"}, {"StackName": "b"}]}"#,
                "several stacks",
            ),
        ] {
            let err = ProfileDraft::from_stack_outputs(text, "out.json").unwrap_err();
            assert_eq!(err.code, ErrorCode::ConfigInvalid);
            assert!(err.message.starts_with("out.json"), "{}", err.message);
            assert!(err.message.contains(expected), "{}", err.message);
        }
    }

    #[test]
    fn the_template_outputs_every_value_read_here() {
        let template = include_str!("../../../../infra/cubby.yaml");
        let (_, outputs) = template.split_once("\nOutputs:").unwrap();
        for key in REQUIRED {
            assert!(outputs.contains(&format!("\n  {key}:\n")), "{key}");
        }
    }

    #[test]
    fn a_bad_value_gets_the_config_files_message() {
        let text = GOOD.replace("eu-west-1_AbC123xyz", "nope");
        let err = ProfileDraft::from_stack_outputs(&text, "out.json")
            .unwrap()
            .check(None)
            .unwrap_err();
        assert!(err.message.contains("user_pool_id"), "{}", err.message);
    }
}

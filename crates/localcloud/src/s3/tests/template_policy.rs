//! One folder policy: the IAM policy infra/cubby.yaml gives signed-in people, evaluated here
//! as IAM evaluates it, allows and denies exactly the requests localcloud's built-in policy
//! allows and denies (same identity, another identity, the bucket root, a sibling prefix
//! without the slash, bucket probes).
//!
//! The template is read by a small reader that knows the policy's shape (no YAML parser in the
//! workspace): statements of `Action`, `Resource` and an `s3:prefix` `StringLike` condition.
//! A policy of another shape makes the reader panic, so the test cannot pass by not looking.

use aws_sdk_s3::primitives::ByteStream;

use super::{BUCKET, TestServer, error_status};

const TEMPLATE: &str = include_str!("../../../../../infra/cubby.yaml");
const SUB: &str = "${cognito-identity.amazonaws.com:sub}";

/// One statement of the template's folder policy, with the bucket's ARN filled in.
#[derive(Debug, Default)]
struct Statement {
    actions: Vec<String>,
    resource: String,
    prefixes: Vec<String>,
}

/// The `Allow` statements of the `own-folder` policy in the template.
fn template_statements() -> Vec<Statement> {
    let (_, policy) = TEMPLATE
        .split_once("PolicyName: own-folder")
        .expect("the template has the own-folder policy");
    let (policy, _) = policy
        .split_once("\n  IdentityPoolRoles:")
        .expect("the role is followed by the role attachment");
    let bucket_arn = format!("arn:aws:s3:::{BUCKET}");
    let mut statements: Vec<Statement> = Vec::new();
    let mut list = "";
    for line in policy.lines().map(str::trim) {
        let unquoted = |s: &str| s.trim().trim_matches('"').to_owned();
        if let Some(sid) = line.strip_prefix("- Sid:") {
            assert!(!sid.trim().is_empty());
            statements.push(Statement::default());
            list = "";
            continue;
        }
        let Some(statement) = statements.last_mut() else {
            continue;
        };
        if let Some(item) = line.strip_prefix("- ") {
            match list {
                "Action" => statement.actions.push(unquoted(item)),
                "s3:prefix" => statement.prefixes.push(unquoted(item)),
                other => panic!("unexpected list item under {other:?}: {line}"),
            }
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .map_or((line, ""), |(k, v)| (k, v.trim()));
        let key = if key == "s3" && value.starts_with("prefix:") {
            // `s3:prefix:` splits at its first colon.
            list = "s3:prefix";
            continue;
        } else {
            key
        };
        match (key, value) {
            ("Effect", effect) => assert_eq!(effect, "Allow"),
            ("Action", "") => list = "Action",
            ("Action", action) => statement.actions.push(unquoted(action)),
            ("Resource", "!GetAtt Bucket.Arn") => statement.resource = bucket_arn.clone(),
            ("Resource", sub) if sub.starts_with("!Sub ") => {
                statement.resource = unquoted(&sub["!Sub ".len()..])
                    .replace("${Bucket.Arn}", &bucket_arn)
                    .replace("${!", "${");
            }
            ("Resource", other) => panic!("unexpected Resource form: {other}"),
            ("Condition" | "StringLike", "") => list = "",
            (other, _) => panic!("unexpected key {other:?} in the folder policy: {line}"),
        }
    }
    assert_eq!(statements.len(), 2, "{statements:?}");
    statements
}

/// IAM's `StringLike` and resource matching: `*` any run of characters, `?` one.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.chars().next() {
        None => text.is_empty(),
        Some('*') => (0..=text.len())
            .filter(|i| text.is_char_boundary(*i))
            .any(|i| glob(&pattern[1..], &text[i..])),
        Some(c) => text.chars().next().is_some_and(|t| {
            (c == '?' || c == t) && glob(&pattern[c.len_utf8()..], &text[t.len_utf8()..])
        }),
    }
}

/// What an S3 request asks of IAM: the action, the resource, and `s3:prefix` when sent.
struct Asked {
    action: &'static str,
    resource: String,
    prefix: Option<String>,
}

/// Whether the template's policy allows it for `identity_id` (no Allow is a deny).
fn template_allows(statements: &[Statement], identity_id: &str, asked: &Asked) -> bool {
    statements.iter().any(|s| {
        s.actions.iter().any(|a| a == asked.action)
            && glob(&s.resource.replace(SUB, identity_id), &asked.resource)
            && (s.prefixes.is_empty()
                || asked.prefix.as_ref().is_some_and(|prefix| {
                    s.prefixes
                        .iter()
                        .any(|p| glob(&p.replace(SUB, identity_id), prefix))
                }))
    })
}

/// The requests compared, each as an S3 call.
#[derive(Debug, Clone)]
enum Request {
    List(Option<String>),
    HeadBucket,
    GetBucketLocation,
    Get(String),
    Head(String),
    Put(String),
    Delete(String),
}

impl Request {
    fn asked(&self) -> Asked {
        let bucket = format!("arn:aws:s3:::{BUCKET}");
        let object = |action, key: &String| Asked {
            action,
            resource: format!("{bucket}/{key}"),
            prefix: None,
        };
        match self {
            Self::List(prefix) => Asked {
                action: "s3:ListBucket",
                resource: bucket,
                prefix: prefix.clone(),
            },
            // HeadBucket is authorized as s3:ListBucket, without a prefix.
            Self::HeadBucket => Asked {
                action: "s3:ListBucket",
                resource: bucket,
                prefix: None,
            },
            Self::GetBucketLocation => Asked {
                action: "s3:GetBucketLocation",
                resource: bucket,
                prefix: None,
            },
            Self::Get(key) | Self::Head(key) => object("s3:GetObject", key),
            Self::Put(key) => object("s3:PutObject", key),
            Self::Delete(key) => object("s3:DeleteObject", key),
        }
    }

    /// Whether localcloud allowed it: anything but a 403 counts as allowed.
    async fn localcloud_allows(&self, s3: &aws_sdk_s3::Client) -> bool {
        let status = match self {
            Self::List(prefix) => s3
                .list_objects_v2()
                .bucket(BUCKET)
                .set_prefix(prefix.clone())
                .send()
                .await
                .err()
                .map(|e| error_status(&e)),
            Self::HeadBucket => s3
                .head_bucket()
                .bucket(BUCKET)
                .send()
                .await
                .err()
                .map(|e| error_status(&e)),
            Self::GetBucketLocation => s3
                .get_bucket_location()
                .bucket(BUCKET)
                .send()
                .await
                .err()
                .map(|e| error_status(&e)),
            Self::Get(key) => s3
                .get_object()
                .bucket(BUCKET)
                .key(key)
                .send()
                .await
                .err()
                .map(|e| error_status(&e)),
            Self::Head(key) => s3
                .head_object()
                .bucket(BUCKET)
                .key(key)
                .send()
                .await
                .err()
                .map(|e| error_status(&e)),
            Self::Put(key) => s3
                .put_object()
                .bucket(BUCKET)
                .key(key)
                .body(ByteStream::from_static(b"x"))
                .send()
                .await
                .err()
                .map(|e| error_status(&e)),
            Self::Delete(key) => s3
                .delete_object()
                .bucket(BUCKET)
                .key(key)
                .send()
                .await
                .err()
                .map(|e| error_status(&e)),
        };
        status != Some(403)
    }
}

#[tokio::test]
async fn the_template_and_localcloud_allow_and_deny_the_same_requests() {
    let statements = template_statements();
    let server = TestServer::start().await;
    let me = "us-east-1:0a1b2c3d-0000-4000-8000-000000000001";
    let other = "us-east-1:0a1b2c3d-0000-4000-8000-000000000002";
    let (mine, s3) = server.identity(me);
    let theirs = format!("{other}/");
    let sibling = format!("{me}x/");
    let admin = server.admin();
    for folder in [&mine, &theirs, &sibling] {
        admin
            .put_object()
            .bucket(BUCKET)
            .key(format!("{folder}file"))
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .unwrap();
    }
    let mut requests = vec![
        Request::List(None),
        Request::List(Some("/".to_owned())),
        Request::List(Some(me.to_owned())),
        Request::List(Some(mine.clone())),
        Request::List(Some(format!("{mine}docs/"))),
        Request::List(Some(theirs.clone())),
        Request::List(Some(sibling.clone())),
        Request::HeadBucket,
        Request::GetBucketLocation,
        Request::Get("top-level-file".to_owned()),
        Request::Put(format!("{me}.txt")),
    ];
    for folder in [&mine, &theirs, &sibling] {
        let key = format!("{folder}file");
        requests.extend([
            Request::Get(key.clone()),
            Request::Head(key.clone()),
            Request::Put(format!("{folder}new")),
            Request::Delete(key),
        ]);
    }
    let mut allowed = 0;
    for request in &requests {
        let template = template_allows(&statements, me, &request.asked());
        let localcloud = request.localcloud_allows(&s3).await;
        assert_eq!(
            template, localcloud,
            "{request:?}: template allows {template}, localcloud allows {localcloud}"
        );
        allowed += usize::from(template);
    }
    assert_eq!(
        allowed, 6,
        "own folder: 2 listings, get, head, put, delete; none else"
    );
}

#[test]
fn glob_matches_like_iam() {
    assert!(glob("a/*", "a/b/c"));
    assert!(glob("a/*", "a/"));
    assert!(!glob("a/*", "a"));
    assert!(!glob("a/*", "ab/"));
    assert!(glob("a?c", "abc"));
    assert!(!glob("abc", "abcd"));
}

//! The READMEs cannot rot: every command in their `sh` blocks is run here, in order, as a person
//! would type it (against a localcloud, the test browser signing in), or is named in
//! [`ELSEWHERE`] with who runs it instead. A new command the runner does not know fails the
//! test until it is run here or named there.
//!
//! Needs what the other end-to-end tests need: `cargo build --workspace --bins`, a Secret
//! Service in a D-Bus session and an X display (scripts/test gives both).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use cubby_core::config::Config;
use cubby_e2e::app::ProcessGroup;
use cubby_e2e::{Setup, cubby_binary, login_by_pasting, stderr_of};
use cubby_test_support::ALICE;
use cubby_test_support::aws::{admin_credentials, s3_client};
use cubby_test_support::bucket_admin::BucketAdmin;
use cubby_test_support::keyring::require_secret_service;
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use serde_json::json;
use tokio::process::Command;

/// Commands the READMEs show that this test does not run, and who does.
const ELSEWHERE: &[(&str, &str)] = &[
    (
        "scripts/test",
        ".ci/run runs it on a fresh clone after every session",
    ),
    (
        "aws cloudformation ",
        "needs an AWS account: cfn-lint checks the template in scripts/test, and this test imports a stack's outputs",
    ),
    (
        "scripts/package --bundles deb",
        "a cold release build takes longer than the test command may; built by hand for each release (issue 15)",
    ),
    (
        "sudo apt install ./Cubby_",
        "installs the package scripts/package builds, system-wide",
    ),
];

/// How long a command gets (a sign-in through the test browser included).
const COMMAND: Duration = Duration::from_secs(120);
/// How long `scripts/run` and `scripts/sandbox` get to build (the UI, at most) and start.
const START: Duration = Duration::from_secs(600);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_readme_command_runs() {
    require_secret_service();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let setup = Setup::start().await;
    let mut unknown = Vec::new();
    for readme in ["infra/README.md", "README.md"] {
        let text = std::fs::read_to_string(repo.join(readme)).unwrap();
        let mut person = Person::new(&setup, repo, readme);
        for command in commands(&text) {
            if let Some((_, who)) = ELSEWHERE
                .iter()
                .find(|(start, _)| command.starts_with(start))
            {
                println!("{readme}: `{command}`: not here: {who}");
            } else if !person.run(&command).await {
                unknown.push(format!("{readme}: {command}"));
            }
        }
        person.check_results().await;
    }
    assert!(
        unknown.is_empty(),
        "README commands no test runs (run them in tests/tests/readme.rs, or name who runs them in ELSEWHERE):\n{}",
        unknown.join("\n")
    );
}

/// The commands of every `sh` block: continued lines joined, comments and blank lines left out.
fn commands(markdown: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_shell = false;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) => in_shell = &*lang == "sh",
            Event::End(TagEnd::CodeBlock) => in_shell = false,
            Event::Text(text) if in_shell => {
                let joined = text.replace("\\\n", " ");
                commands.extend(joined.lines().filter_map(|line| {
                    let command = line.split(" #").next().unwrap_or_default();
                    let command = command.split_whitespace().collect::<Vec<_>>().join(" ");
                    (!command.is_empty() && !command.starts_with('#')).then_some(command)
                }));
            }
            _ => {}
        }
    }
    commands
}

/// Someone following one README in a folder of their own, with the files its examples name.
struct Person<'a> {
    setup: &'a Setup,
    repo: &'a Path,
    /// Where the commands run.
    work: PathBuf,
    /// The config file the commands use (the README's own, not the harness's).
    config: PathBuf,
    /// The `scripts/sandbox` the headless quick start started.
    sandbox: Option<ProcessGroup>,
    ran: Vec<String>,
}

impl<'a> Person<'a> {
    fn new(setup: &'a Setup, repo: &'a Path, readme: &str) -> Self {
        let work = setup.dir.path().join(readme.replace('/', "-"));
        std::fs::create_dir_all(work.join("photos")).unwrap();
        std::fs::create_dir_all(work.join("Notes")).unwrap();
        std::fs::write(work.join("report.pdf"), report_bytes()).unwrap();
        std::fs::write(work.join("photos/beach.jpg"), b"a beach").unwrap();
        std::fs::write(work.join("photos/city.jpg"), b"a city").unwrap();
        std::fs::write(work.join("Notes/todo.md"), b"- water the plants\n").unwrap();
        std::fs::write(
            work.join("cubby-stack.json"),
            stack_outputs(setup).to_string(),
        )
        .unwrap();
        let config = work.join("config.toml");
        Self {
            setup,
            repo,
            work,
            config,
            sandbox: None,
            ran: Vec::new(),
        }
    }

    /// Runs `command` as the README means it; false when the runner does not know it.
    async fn run(&mut self, command: &str) -> bool {
        assert!(
            !command.contains(['"', '\'', '$', '`', '|', ';']),
            "`{command}`: the runner splits commands on spaces only; keep README commands plain"
        );
        let words: Vec<&str> = command.split_whitespace().collect();
        println!("$ {command}");
        match words.as_slice() {
            ["cubby", "login", "--no-browser"]
            | [
                "cargo",
                "run",
                "-q",
                "-p",
                "cubby-cli",
                "--",
                "login",
                "--no-browser",
            ] => {
                self.login_without_browser().await;
            }
            ["cubby", args @ ..] | ["cargo", "run", "-q", "-p", "cubby-cli", "--", args @ ..] => {
                // `cargo run` of the CLI runs the binary this build made.
                self.cubby(args).await;
                if args.starts_with(&["profile", "import"]) {
                    self.point_imported_profile_at_localcloud();
                }
            }
            ["scripts/sandbox", ">", file, "&"] => self.start_sandbox(file).await,
            ["scripts/run"] => self.start_app().await,
            _ => return false,
        }
        self.ran.push(command.to_owned());
        true
    }

    /// `cubby ARGS` in the work folder with the README's config, the test browser signing in.
    async fn cubby(&self, args: &[&str]) {
        let mut command = self.setup.with_browser(Command::new(cubby_binary()), ALICE);
        command
            .args(args)
            .current_dir(&self.work)
            .env("CUBBY_CONFIG", &self.config)
            .env_remove("CUBBY_PROFILE")
            .kill_on_drop(true);
        let output = tokio::time::timeout(COMMAND, command.output())
            .await
            .unwrap_or_else(|_| panic!("`cubby {}` within {COMMAND:?}", args.join(" ")))
            .unwrap();
        assert!(
            output.status.success(),
            "`cubby {}` failed: {}",
            args.join(" "),
            stderr_of(&output)
        );
        print!("{}", String::from_utf8_lossy(&output.stdout));
    }

    /// The imported profile names the stack's pools and bucket, on AWS; here they live in the
    /// localcloud, whose endpoints are the one thing a stack on AWS does not need.
    fn point_imported_profile_at_localcloud(&self) {
        let harness = Config::load(&self.setup.config).unwrap().profiles["local"].clone();
        let mut config = Config::load(&self.config).unwrap();
        let imported = config
            .profiles
            .get_mut("cubby")
            .expect("named after the stack");
        imported.endpoints = harness.endpoints;
        config.save(&self.config).unwrap();
    }

    /// `scripts/sandbox > FILE &`: the sandbox serves in the background, its profile in FILE.
    async fn start_sandbox(&mut self, file: &str) {
        let profile = self.work.join(file);
        let mut command = script(&self.repo.join("scripts/sandbox"));
        command
            .current_dir(&self.work)
            .env("CUBBY_SANDBOX_DIR", self.work.join("sandbox-data"))
            .env("CUBBY_SANDBOX_PORT", "0")
            .stdout(std::fs::File::create(&profile).unwrap());
        self.sandbox = Some(ProcessGroup::spawn(command).unwrap());
        let deadline = tokio::time::Instant::now() + START;
        // The script prints the profile once the server listens, ending with this line.
        while !std::fs::read_to_string(&profile)
            .unwrap_or_default()
            .contains("# Press Ctrl-C to stop.")
        {
            let exited = self.sandbox.as_mut().unwrap().leader_exit();
            assert!(exited.is_none(), "scripts/sandbox ended: {exited:?}");
            assert!(
                tokio::time::Instant::now() < deadline,
                "scripts/sandbox printed no profile within {START:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // The quick start's commands name the file relative to where they run.
        self.config = self.work.join("sandbox-config.toml");
    }

    /// `cubby login --no-browser`: the person opens the printed address and pastes back where
    /// the browser ended (the sandbox's demo account, as scripts/sandbox prints it).
    async fn login_without_browser(&self) {
        let mut login = Command::new(cubby_binary());
        login
            .args(["login", "--no-browser"])
            .current_dir(&self.work)
            .env("CUBBY_CONFIG", &self.config)
            .env_remove("CUBBY_PROFILE");
        let status = login_by_pasting(&mut login, "demo@cubby.local", "cubby-demo").await;
        assert!(status.success(), "cubby login --no-browser failed");
    }

    /// `scripts/run`: builds what it needs and opens the app's window on this display.
    async fn start_app(&self) {
        let home = self.work.join("app-home");
        std::fs::create_dir_all(&home).unwrap();
        let mut command = script(&self.repo.join("scripts/run"));
        command
            .current_dir(self.repo)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .stdout(Stdio::null());
        let mut app = ProcessGroup::spawn(command).unwrap();
        let deadline = tokio::time::Instant::now() + START;
        loop {
            let found = std::process::Command::new("xdotool")
                .args(["search", "--onlyvisible", "--name", "^Cubby$"])
                .output()
                .expect("xdotool (scripts/install-deps --test installs it)");
            if found.status.success() && !found.stdout.is_empty() {
                break;
            }
            let exited = app.leader_exit();
            assert!(
                exited.is_none(),
                "scripts/run ended before a window opened: {exited:?}"
            );
            assert!(
                tokio::time::Instant::now() < deadline,
                "scripts/run opened no window within {START:?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        drop(app);
    }

    /// What the README's examples promise, checked in the bucket and on disk.
    async fn check_results(&self) {
        if !self.ran.iter().any(|c| c.starts_with("cubby put")) {
            return;
        }
        let profile = Config::load(&self.setup.config).unwrap().profiles["local"].clone();
        let admin = BucketAdmin::S3 {
            client: s3_client(&profile, admin_credentials(&self.setup.cloud)),
            bucket: profile.bucket.clone(),
        };
        let keys = admin.all_keys().await;
        let has = |suffix: &str| keys.iter().any(|key| key.ends_with(suffix));
        assert!(has("/docs/report-final.pdf"), "{keys:?}");
        assert!(has("/docs/photos/beach.jpg"), "{keys:?}");
        assert!(
            !has("/backup/photos/beach.jpg") && !has("/backup/beach.jpg"),
            "{keys:?}"
        );
        assert!(has("/Notes/todo.md"), "synced two-way: {keys:?}");
        assert!(has("/archive/notes/todo.md"), "backed up: {keys:?}");
        let downloaded = std::fs::read(self.work.join("downloads/report-final.pdf")).unwrap();
        assert_eq!(downloaded, report_bytes());
    }
}

/// A script as a person starts it from their shell: without the variables `cargo test` sets for
/// this test (`CARGO_PKG_NAME`, `CARGO_MANIFEST_DIR`, ...), which build scripts watch, so the
/// script's own `cargo build` would rebuild half the dependencies.
fn script(path: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(path);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let kept = ["CARGO_HOME", "CARGO_TARGET_DIR", "CARGO_TERM_COLOR"].contains(&&*name);
        if (name.starts_with("CARGO") && !kept) || name == "OUT_DIR" || name == "LD_LIBRARY_PATH" {
            command.env_remove(&*name);
        }
    }
    command
}

fn report_bytes() -> Vec<u8> {
    (0..200_000u32).map(|i| (i % 251) as u8).collect()
}

/// `aws cloudformation describe-stacks` of a stack named `cubby`, its outputs naming the
/// localcloud's pools and bucket.
fn stack_outputs(setup: &Setup) -> serde_json::Value {
    let profile = Config::load(&setup.config).unwrap().profiles["local"].clone();
    let redirects: Vec<String> = profile.redirects.iter().map(ToString::to_string).collect();
    let output = |key: &str, value: &str| json!({"OutputKey": key, "OutputValue": value});
    json!({"Stacks": [{
        "StackName": "cubby",
        "StackStatus": "CREATE_COMPLETE",
        "Outputs": [
            output("Region", &profile.region),
            output("UserPoolId", &profile.user_pool_id),
            output("ClientId", &profile.client_id),
            output("HostedUi", profile.hosted_ui.as_str()),
            output("IdentityPoolId", &profile.identity_pool_id),
            output("Bucket", &profile.bucket),
            output("Redirects", &redirects.join(",")),
            output("SignOutUrl", profile.sign_out_url.as_ref().unwrap().as_str()),
        ],
    }]})
}

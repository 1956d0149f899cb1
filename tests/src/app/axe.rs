//! Accessibility scans of what the window shows, with axe-core (the engine behind most
//! accessibility checkers), loaded into the page from the UI's own node_modules.

use std::path::PathBuf;
use std::sync::LazyLock;

use serde_json::{Value, json};

use super::session::AppDriver;

/// Impacts that fail a scan; "minor" and "moderate" findings are reported only.
const FAILING: [&str; 2] = ["serious", "critical"];

/// axe-core's browser bundle, installed by `npm ci` in ui/ (a devDependency).
static AXE_SOURCE: LazyLock<String> = LazyLock::new(|| {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "cannot read {}: {err}; run `npm ci` in ui/ (scripts/test does)",
            path.display()
        )
    })
});

impl AppDriver {
    /// Scans the page as it is now; fails the test with every serious or critical violation,
    /// naming `screen`, the rule, and the elements.
    pub async fn assert_accessible(&self, screen: &str) {
        self.wait_for_stillness().await;
        let script = format!(
            "const done = arguments[arguments.length - 1];\
             if (!window.axe) {{ {} }}\
             window.axe.run(document, {{ resultTypes: ['violations'] }})\
               .then(r => done(r.violations.map(v => ({{ id: v.id, impact: v.impact, help: v.help,\
                  nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }}))),\
                     e => done({{ error: String(e) }}));",
            *AXE_SOURCE
        );
        let answer = self
            .answer(
                &format!("scanning the {screen} screen with axe-core"),
                self.client.execute_async(&script, Vec::new()),
            )
            .await;
        let Value::Array(violations) = answer else {
            self.fail(&format!("axe-core did not run on {screen}: {answer}"));
        };
        let failing: Vec<&Value> = violations
            .iter()
            .filter(|v| FAILING.contains(&v["impact"].as_str().unwrap_or_default()))
            .collect();
        for minor in violations.iter().filter(|v| !failing.contains(v)) {
            eprintln!("axe-core, {screen}: {}", json!(minor));
        }
        assert!(
            failing.is_empty(),
            "the {screen} screen has serious accessibility violations:\n{}",
            failing
                .iter()
                .map(|v| format!(
                    "- {} ({}): {} at {}",
                    v["id"], v["impact"], v["help"], v["nodes"]
                ))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

//! What a test does in the file browser beyond clicking test ids: rows by path, the mouse
//! (double-click, right-click, dragging a row), the keyboard, typing, commands of the shell,
//! and the OS dropping files on the window.

use std::path::Path;
use std::time::Duration;

use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MOUSE_BUTTON_LEFT, MOUSE_BUTTON_RIGHT, MouseActions,
    PointerAction,
};
use fantoccini::elements::Element;
use fantoccini::{Locator, key::Key};
use serde_json::{Value, json};

use super::session::AppDriver;
use super::wait::Probe;

/// Steps of a row drag, so the page sees a pointer moving and not a jump.
const DRAG_STEPS: u32 = 6;

impl AppDriver {
    /// The row of the entry at `path` (relative to the person's folder), once it is shown.
    pub async fn row(&self, path: &str) -> Element {
        self.shown(&row_selector(path), &format!("the row of {path:?}"))
            .await
    }

    /// Waits until no row shows the entry at `path`.
    pub async fn wait_for_no_row(&self, path: &str) {
        self.wait_for_absent(&row_selector(path), &format!("the row of {path:?}"))
            .await;
    }

    /// Waits until nothing on the page matches the CSS `selector`; `what` names it.
    pub async fn wait_for_absent(&self, selector: &str, what: &str) {
        self.wait(&format!("{what} to go"), || async {
            match self.client.find_all(Locator::Css(selector)).await {
                Ok(found) if found.is_empty() => Probe::Ready(()),
                Ok(_) => Probe::NotYet("still there".to_owned()),
                Err(err) => Probe::NotYet(err.to_string()),
            }
        })
        .await
    }

    /// The paths of the rows the list has drawn, top to bottom (a virtual list draws only
    /// those near its window).
    pub async fn drawn_rows(&self) -> Vec<String> {
        let rows = self
            .script(
                "return [...document.querySelectorAll('[data-testid=\"entry-row\"]')].map(r => r.dataset.path)",
            )
            .await;
        match rows {
            Ok(Value::Array(paths)) => paths
                .into_iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect(),
            Ok(other) => self.fail(&format!("rows are not a list: {other}")),
            Err(err) => self.fail(&err),
        }
    }

    /// Clicks the row of `path` (selecting it alone).
    pub async fn click_row(&self, path: &str) {
        let row = self.row(path).await;
        self.answer(&format!("clicking the row of {path:?}"), row.click())
            .await;
    }

    /// Double-clicks the row of `path` (opening it).
    pub async fn double_click_row(&self, path: &str) {
        let row = self.row(path).await;
        let mouse = MouseActions::new("mouse".to_owned())
            .then(move_to(row))
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        self.perform(&format!("double-clicking {path:?}"), mouse)
            .await;
    }

    /// Right-clicks the row of `path` and waits for the context menu.
    pub async fn context_menu(&self, path: &str) {
        let row = self.row(path).await;
        let mouse = MouseActions::new("mouse".to_owned())
            .then(move_to(row))
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_RIGHT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_RIGHT,
            });
        self.perform(&format!("right-clicking {path:?}"), mouse)
            .await;
        self.wait_for_visible("context-menu").await;
    }

    /// Drags the row of `path` with the mouse and lets go over `target` (a CSS selector: a
    /// folder row, a breadcrumb segment).
    pub async fn drag_row_onto(&self, path: &str, target: &str) {
        let row = self.row(path).await;
        let onto = self.shown(target, target).await;
        let (x, y, width, height) = self
            .answer("measuring the drop target", onto.rectangle())
            .await;
        let (to_x, to_y) = (x + width / 2.0, y + height / 2.0);
        let (from_x, from_y, from_width, from_height) =
            self.answer("measuring the row", row.rectangle()).await;
        let (start_x, start_y) = (from_x + from_width / 4.0, from_y + from_height / 2.0);
        let mut mouse = MouseActions::new("mouse".to_owned())
            .then(PointerAction::MoveTo {
                duration: None,
                x: start_x,
                y: start_y,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            });
        for step in 1..=DRAG_STEPS {
            let done = f64::from(step) / f64::from(DRAG_STEPS);
            mouse = mouse.then(PointerAction::MoveTo {
                duration: Some(Duration::from_millis(50)),
                x: start_x + (to_x - start_x) * done,
                y: start_y + (to_y - start_y) * done,
            });
        }
        let mouse = mouse.then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
        self.perform(&format!("dragging {path:?} onto {target}"), mouse)
            .await;
    }

    /// Presses `key`, a special key or a character (with `ctrl` held when asked), wherever the
    /// focus is.
    pub async fn press(&self, key: impl Into<char> + Copy + std::fmt::Debug, ctrl: bool) {
        let mut keys = KeyActions::new("keyboard".to_owned());
        if ctrl {
            keys = keys.then(KeyAction::Down {
                value: Key::Control.into(),
            });
        }
        keys = keys
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        if ctrl {
            keys = keys.then(KeyAction::Up {
                value: Key::Control.into(),
            });
        }
        self.perform(&format!("pressing {key:?}"), keys).await;
    }

    /// The value of the input with `data-testid` = `testid`, once it is shown.
    pub async fn value(&self, testid: &str) -> String {
        let input = self.find_shown(testid, false).await;
        self.answer(
            &format!("reading the value of {testid:?}"),
            input.prop("value"),
        )
        .await
        .unwrap_or_default()
    }

    /// Replaces the text of the input with `data-testid` = `testid` by `text`, then presses
    /// Enter in it.
    pub async fn type_and_enter(&self, testid: &str, text: &str) {
        self.type_into(testid, &format!("{text}{}", char::from(Key::Enter)))
            .await;
    }

    /// Types `text` into the input with `data-testid` = `testid`, replacing what it held as a
    /// person does: select all, then type. (WebDriver's "clear" blurs the input, which commits
    /// an inline name field before anything is typed.)
    pub async fn type_into(&self, testid: &str, text: &str) {
        let input = self.find_shown(testid, true).await;
        let control = char::from(Key::Control);
        let keys = format!("{control}a{control}{text}");
        self.answer(&format!("typing into {testid:?}"), input.send_keys(&keys))
            .await;
    }

    /// Waits until the text of the element with `data-testid` = `testid`, passed through
    /// `normalize`, contains `needle`.
    pub async fn wait_for_text_of(
        &self,
        testid: &str,
        needle: &str,
        normalize: impl Fn(&str) -> String,
    ) {
        let what = format!("[data-testid={testid:?}] to say {needle:?}");
        self.wait(&what, || async {
            let element = match self.client.find(Locator::Css(&testid_css(testid))).await {
                Ok(element) => element,
                Err(err) => return Probe::NotYet(format!("not found ({err})")),
            };
            match element.text().await {
                Ok(text) if normalize(&text).contains(needle) => Probe::Ready(()),
                Ok(text) => Probe::NotYet(format!("it says {text:?}")),
                Err(err) => Probe::NotYet(err.to_string()),
            }
        })
        .await
    }

    /// Runs `source` (a function body) in the page and returns what it returns.
    pub async fn run_script(&self, source: &str) -> Value {
        match self.script(source).await {
            Ok(value) => value,
            Err(err) => self.fail(&err),
        }
    }

    /// Runs `source` (a function body whose last argument is the callback to call with the
    /// result) in the page and returns what it passes the callback: one WebDriver round trip
    /// however long the page takes, where polling would be many.
    pub async fn run_async_script(&self, source: &str, args: Vec<Value>) -> Value {
        self.answer(
            "running an asynchronous script",
            self.client.execute_async(source, args),
        )
        .await
    }

    /// Waits until `source` (a function body run in the page) returns `expected`: for what the
    /// page shows only after an answer of the shell arrives.
    pub async fn wait_for_script(&self, source: &str, expected: &Value, what: &str) {
        self.wait(what, || async {
            match self.script(source).await {
                Ok(value) if &value == expected => Probe::Ready(()),
                Ok(value) => Probe::NotYet(format!("the page returned {value}")),
                Err(err) => Probe::NotYet(err),
            }
        })
        .await
    }

    /// Invokes a command of the shell from the page, as the UI does, and returns its answer;
    /// a refusal fails the test.
    pub async fn invoke(&self, command: &str, args: Value) -> Value {
        let script = "const [command, args, done] = arguments;\
             window.__TAURI_INTERNALS__.invoke(command, args)\
               .then(value => done({ ok: value ?? null }), error => done({ error }));";
        let answer = self
            .answer(
                &format!("invoking {command}"),
                self.client
                    .execute_async(script, vec![json!(command), args]),
            )
            .await;
        match answer {
            Value::Object(mut fields) if fields.contains_key("ok") => fields.remove("ok").unwrap(),
            other => self.fail(&format!("{command} was refused: {other}")),
        }
    }

    /// Drops `paths` on the window as the OS does, over the element `onto` (a CSS selector),
    /// through the shell's end-to-end-only `e2e_drop`, which records the drop and sends the
    /// page the same events a real one gives.
    pub async fn drop_files(&self, paths: &[&Path], onto: &str) {
        self.drag_files(paths, onto, "drop").await;
    }

    /// Drags `paths` over the element `onto` and holds them there (the drop overlay shows).
    pub async fn hover_files(&self, paths: &[&Path], onto: &str) {
        self.drag_files(paths, onto, "hover").await;
    }

    /// Ends a [`Self::hover_files`] by leaving the window.
    pub async fn leave_with_files(&self) {
        self.invoke(
            "e2e_drop",
            json!({ "paths": [], "x": 0.0, "y": 0.0, "stage": "leave" }),
        )
        .await;
    }

    async fn drag_files(&self, paths: &[&Path], onto: &str, stage: &str) {
        let target = self.shown(onto, onto).await;
        let (x, y, width, height) = self
            .answer("measuring the drop target", target.rectangle())
            .await;
        let scale = match self.script("return window.devicePixelRatio").await {
            Ok(Value::Number(ratio)) => ratio.as_f64().unwrap_or(1.0),
            other => self.fail(&format!("no devicePixelRatio: {other:?}")),
        };
        let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        // The OS reports physical pixels; the page divides by the scale factor.
        self.invoke(
            "e2e_drop",
            json!({
                "paths": paths,
                "x": (x + width / 2.0) * scale,
                "y": (y + height / 2.0) * scale,
                "stage": stage,
            }),
        )
        .await;
    }

    /// The element matching the CSS `selector`, once it is shown; `what` names it in failures.
    pub async fn shown(&self, selector: &str, what: &str) -> Element {
        self.wait(&format!("{what} to be shown"), || async {
            let element = match self.client.find(Locator::Css(selector)).await {
                Ok(element) => element,
                Err(err) => return Probe::NotYet(format!("not found ({err})")),
            };
            match element.is_displayed().await {
                Ok(true) => Probe::Ready(element),
                shown => Probe::NotYet(format!("shown {shown:?}")),
            }
        })
        .await
    }

    async fn perform(&self, what: &str, actions: impl Into<fantoccini::actions::Actions>) {
        self.answer(what, self.client.perform_actions(actions))
            .await;
        self.answer(
            &format!("{what}: releasing the input"),
            self.client.release_actions(),
        )
        .await;
    }
}

/// The CSS selector of the element with `data-testid` = `testid`.
fn testid_css(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

/// The CSS selector of the row of `path`.
pub fn row_selector(path: &str) -> String {
    let quoted = serde_json::to_string(path).expect("a string serializes");
    format!("[data-testid=\"entry-row\"][data-path={quoted}]")
}

fn move_to(element: Element) -> PointerAction {
    PointerAction::MoveToElement {
        element,
        duration: None,
        x: 0.0,
        y: 0.0,
    }
}

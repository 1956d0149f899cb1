//! The figures measured inside the page, where a WebDriver round trip (tens of milliseconds)
//! does not blur them: scripts that watch the document and stamp `performance.now()`.

use std::path::Path;
use std::time::Duration;

use cubby_e2e::app::{AppDriver, Key};
use serde_json::{Value, json};

/// How long a figure's condition may take to come true.
const DEADLINE: Duration = Duration::from_secs(180);
/// How often the page is asked whether it has.
const POLL: Duration = Duration::from_millis(50);

/// The moment the signed-in folder shows its first row and the page answers: the frame that
/// draws it, then the next task (the main thread is free again). Epoch milliseconds, and
/// whether the row was there already when this looked (then the moment is only an upper bound).
pub async fn signed_in_grid_shown(app: &AppDriver) -> (f64, bool) {
    const SCRIPT: &str = r#"
        const ready = () => document.body?.dataset.screen === 'folder'
            && document.querySelector('[data-testid="entry-row"]');
        window.__bench = {};
        const settle = (already) => requestAnimationFrame(() => setTimeout(() => {
            window.__bench.shown = { at: performance.timeOrigin + performance.now(), already };
        }));
        if (ready()) { settle(true); } else {
            const watch = new MutationObserver(() => {
                if (ready()) { watch.disconnect(); settle(false); }
            });
            watch.observe(document.documentElement, { subtree: true, childList: true, attributes: true });
        }
        return true;"#;
    app.run_script(SCRIPT).await;
    let shown = poll(
        app,
        "the signed-in grid",
        "return window.__bench.shown ?? null",
    )
    .await;
    (number(&shown["at"]), shown["already"] == Value::Bool(true))
}

/// Opens the selected folder row `folder` with Enter; returns the milliseconds from the key
/// event to the frame after the first row of the folder was drawn with its entry (size, date), and to the listing being
/// complete (the status bar's `data-complete`).
pub async fn open_folder(app: &AppDriver, folder: &str) -> (f64, f64) {
    let install = format!(
        r#"
        const prefix = {prefix};
        const bench = window.__bench = {{}};
        addEventListener('keydown', (event) => {{
            if (event.key === 'Enter' && bench.key === undefined) bench.key = event.timeStamp;
        }}, {{ capture: true }});
        const firstRow = () => [...document.querySelectorAll('[data-testid="entry-row"]')]
            .some((row) => row.dataset.path?.startsWith(prefix));
        const complete = () => firstRow()
            && document.querySelector('[data-testid="folder-count"]')?.dataset.complete === 'true';
        const watch = new MutationObserver(() => {{
            if (bench.row === undefined && firstRow()) {{
                bench.row = performance.now();
                requestAnimationFrame(() => setTimeout(() => {{ bench.drawn = performance.now(); }}));
            }}
            if (bench.complete === undefined && complete()) {{
                bench.complete = performance.now();
                watch.disconnect();
            }}
        }});
        watch.observe(document.documentElement, {{ subtree: true, childList: true, attributes: true }});
        return true;"#,
        prefix = serde_json::to_string(&format!("{folder}/")).expect("a string serializes"),
    );
    app.run_script(&install).await;
    app.press(Key::Enter, false).await;
    let done = poll(
        app,
        &format!("the folder {folder:?} to be listed"),
        "const b = window.__bench; return b.drawn !== undefined && b.complete !== undefined ? b : null",
    )
    .await;
    let key = number(&done["key"]);
    (
        number(&done["drawn"]) - key,
        number(&done["complete"]) - key,
    )
}

/// Frame times while the file grid is scrolled from its top to its end, evenly over
/// `seconds`, one step per animation frame (as dragging the scroll bar down does): the
/// deltas between requestAnimationFrame callbacks, in milliseconds.
pub async fn scroll_frames(app: &AppDriver, seconds: f64) -> Vec<f64> {
    let start = format!(
        r#"
        const grid = document.querySelector('[data-testid="file-grid"]');
        const end = grid.scrollHeight - grid.clientHeight;
        const bench = window.__bench = {{ deltas: [] }};
        const duration = {seconds} * 1000;
        let begun = null, last = null;
        grid.scrollTop = 0;
        const frame = (now) => {{
            if (last !== null) bench.deltas.push(now - last);
            last = now;
            begun ??= now;
            const done = (now - begun) / duration;
            if (done >= 1) {{ bench.done = true; return; }}
            grid.scrollTop = end * done;
            requestAnimationFrame(frame);
        }};
        requestAnimationFrame(frame);
        return end;"#
    );
    app.run_script(&start).await;
    let done = poll(
        app,
        "the scroll to end",
        "return window.__bench.done ? window.__bench.deltas : null",
    )
    .await;
    done.as_array()
        .expect("the deltas are a list")
        .iter()
        .map(number)
        .collect()
}

/// Where a drop onto the element `selector` lands: its middle, in the physical pixels the OS
/// reports a drop in.
pub async fn drop_point(app: &AppDriver, selector: &str) -> (f64, f64) {
    let script = format!(
        r#"
        const box = document.querySelector({selector}).getBoundingClientRect();
        const scale = window.devicePixelRatio;
        return [(box.left + box.width / 2) * scale, (box.top + box.height / 2) * scale];"#,
        selector = serde_json::to_string(selector).expect("a string serializes"),
    );
    let point = app.run_script(&script).await;
    (number(&point[0]), number(&point[1]))
}

/// Drops `paths` at (`x`, `y`) (physical pixels) as a person does: they are dragged over the
/// window and held there until the drop overlay is drawn, then let go. Returns, in epoch
/// milliseconds stamped in the page, the moment just before the drop was sent (the hold is not
/// timed: a person drags before letting go) and the frame after the transfers panel said
/// `count` transfers done, then one task. The page is waited on in one WebDriver call, not
/// polled: polling costs CPU the app's transfers would be timed competing with.
pub async fn drop_until_done(
    app: &AppDriver,
    paths: &[&Path],
    (x, y): (f64, f64),
    count: usize,
) -> (f64, f64) {
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    app.invoke(
        "e2e_drop",
        json!({ "paths": paths, "x": x, "y": y, "stage": "hover" }),
    )
    .await;
    app.shown("[data-testid=\"drop-overlay\"]", "the drop overlay")
        .await;
    app.run_async_script(
        "const done = arguments[0]; requestAnimationFrame(() => setTimeout(done));",
        Vec::new(),
    )
    .await;
    const SCRIPT: &str = r#"
        const [paths, x, y, count, done] = arguments;
        const stamp = () => performance.timeOrigin + performance.now();
        const summary = () => document.querySelector('[data-testid="transfers-summary"]')
            ?.textContent.trim();
        let dropped = null;
        const watch = new MutationObserver(() => {
            if (summary() === `${count} done`) {
                watch.disconnect();
                requestAnimationFrame(() => setTimeout(() => done({ dropped, done: stamp() })));
            }
        });
        watch.observe(document.documentElement, { subtree: true, childList: true, characterData: true });
        dropped = stamp();
        window.__TAURI_INTERNALS__.invoke('e2e_drop', { paths, x, y, stage: 'release' })
            .catch((error) => { watch.disconnect(); done({ error: String(error) }); });"#;
    let answer = app
        .run_async_script(SCRIPT, vec![json!(paths), json!(x), json!(y), json!(count)])
        .await;
    assert!(answer.get("error").is_none(), "the drop failed: {answer}");
    (number(&answer["dropped"]), number(&answer["done"]))
}

/// Milliseconds of one WebDriver script round trip (the median of a few).
pub async fn round_trip(app: &AppDriver) -> f64 {
    let mut times = Vec::new();
    for _ in 0..9 {
        let start = std::time::Instant::now();
        app.run_script("return 1").await;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Runs `source` until it returns something other than null; returns that.
async fn poll(app: &AppDriver, what: &str, source: &str) -> Value {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        match app.run_script(source).await {
            Value::Null => {}
            found => return found,
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not seen in {DEADLINE:?}"
        );
        tokio::time::sleep(POLL).await;
    }
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("the page gave {value} where a number was expected"))
}

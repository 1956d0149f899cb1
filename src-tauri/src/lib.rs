//! The Cubby desktop app: a thin Tauri shell. Commands only translate between the web view and
//! cubby-core; everything else (sign-in, storage, sync) lives in the core.

mod commands;

use tauri::{Builder, Manager, Runtime};

/// The window `tauri.conf.json` declares; a second launch brings it to the front.
const MAIN_WINDOW: &str = "main";

/// Builds and runs the app until its last window closes.
pub fn run() -> tauri::Result<()> {
    let builder = Builder::default()
        // Registered first so a second launch (for example the OS opening a `cubby://` link) is
        // handed to this process, and its link to the deep-link plugin, before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            focus_main_window(app)
        }))
        .plugin(tauri_plugin_deep_link::init());
    with_commands(builder).run(context())
}

/// The commands the web view can invoke, on any runtime (the mock one in tests).
fn with_commands<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder.invoke_handler(tauri::generate_handler![commands::app_info])
}

/// The config (the repository-root `tauri.conf.json`), ACL and embedded `ui/dist`, made at compile time.
fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!("../tauri.conf.json")
}

fn focus_main_window<R: Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        // Best effort: a window manager may refuse focus, and there is nothing better to do then.
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
    use tauri::webview::InvokeRequest;
    use tauri::{WebviewUrl, WebviewWindow, WebviewWindowBuilder};

    use super::*;

    fn window(label: &str) -> WebviewWindow<MockRuntime> {
        let app = with_commands(mock_builder())
            .build(context())
            .expect("the app builds");
        WebviewWindowBuilder::new(&app, label, WebviewUrl::default())
            .build()
            .expect("the window opens")
    }

    fn invoke(window: &WebviewWindow<MockRuntime>, command: &str) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("a valid URL"),
            body: InvokeBody::default(),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(window, request)
            .map(|body| body.deserialize::<Value>().expect("a JSON response"))
    }

    #[test]
    fn main_window_gets_product_name_from_root_config_and_crate_version() {
        let info = invoke(&window(MAIN_WINDOW), "app_info").expect("app_info is allowed");
        assert_eq!(
            info,
            json!({ "name": "Cubby", "version": env!("CARGO_PKG_VERSION") })
        );
    }

    #[test]
    fn windows_without_a_capability_cannot_invoke_commands() {
        let refusal =
            invoke(&window("elsewhere"), "app_info").expect_err("no capability grants it");
        assert!(
            refusal.to_string().contains("app_info not allowed"),
            "unexpected refusal: {refusal}"
        );
    }
}

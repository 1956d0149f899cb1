//! Runs tauri-build against the repository-root `tauri.conf.json` (Tauri's default is beside this
//! crate). `app_manifest` gives each command an `allow-*` permission, so the web view may call only
//! the commands a capability in `capabilities/` grants.

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(&[
            "app_info",
            "startup",
            "sign_in",
            "cancel_sign_in",
            "sign_out",
            "list_folder",
            "list_profiles",
            "select_profile",
            "get_profile",
            "save_profile",
            "import_profile",
            "remove_profile",
            "get_settings",
            "set_settings",
        ]));
    tauri_build::try_build(attributes).expect("tauri-build failed: see the message above");
}

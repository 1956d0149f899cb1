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
            "search_folder",
            "folder_usage",
            "create_folder",
            "rename_entry",
            "move_entries",
            "copy_entries",
            "delete_entries",
            "delete_unusable",
            "share_link",
            "preview_file",
            "open_file",
            "download_entries",
            "upload_drop",
            "pick_upload",
            "start_upload",
            "discard_upload",
            "watch_transfers",
            "pause_transfer",
            "resume_transfer",
            "cancel_transfer",
            "retry_transfer",
            "pause_all_transfers",
            "resume_all_transfers",
            "clear_finished_transfers",
            "e2e_drop",
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

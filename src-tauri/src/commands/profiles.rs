//! The profiles of the picker and of Settings: the config file the `cubby` CLI uses too, plus
//! the built-in sandbox, which cannot be edited or removed.

use cubby_core::config::{Config, ProfileDraft};
use cubby_core::session::SessionInfo;
use cubby_core::{Error, ErrorCode, Result};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tokio::sync::oneshot;

use crate::sandbox::SANDBOX_PROFILE;
use crate::state::{AppState, ProfileSummary};

#[tauri::command]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileSummary>> {
    state.profiles().await
}

/// Makes `name` the profile in use; who is signed in with it after a silent restore.
#[tauri::command]
pub async fn select_profile(
    state: State<'_, AppState>,
    name: String,
) -> Result<Option<SessionInfo>> {
    state.select(&name).await
}

#[tauri::command]
pub fn get_profile(state: State<'_, AppState>, name: String) -> Result<ProfileDraft> {
    let config = state.config()?;
    let (name, profile) = config.profile(Some(&name))?;
    Ok(ProfileDraft::from_profile(name, profile))
}

/// Adds a profile (`previous` is `None`) or replaces `previous`, possibly under a new name.
#[tauri::command]
pub async fn save_profile(
    state: State<'_, AppState>,
    form: ProfileDraft,
    previous: Option<String>,
) -> Result<Vec<ProfileSummary>> {
    let path = &state.paths.config;
    let mut config = Config::load(path)?;
    let previous_profile = match &previous {
        Some(name) => Some(config.profile(Some(name))?.1.clone()),
        None => None,
    };
    let (name, profile) = form.check(previous_profile.as_ref())?;
    if name == SANDBOX_PROFILE {
        return Err(sandbox_is_built_in());
    }
    let renamed_from = previous.filter(|old| *old != name);
    let replacing = previous_profile.is_some() && renamed_from.is_none();
    config.insert_profile(&name, profile, replacing)?;
    if let Some(old) = renamed_from {
        // Same sign-in settings or not, the old name's session stays in the keyring for the
        // new name when they match (the key is the profile's, not its name's).
        config.remove_profile(&old)?;
        if config.default_profile.is_none() {
            config.default_profile = Some(name.clone());
        }
    }
    config.save(path)?;
    state.profiles().await
}

/// Asks for a profile file (`.toml`, one `[profiles.NAME]` table, as `cubby profile add --from`
/// reads) and adds it; `None` when the person closes the picker.
#[tauri::command]
pub async fn import_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Option<Vec<ProfileSummary>>> {
    // A config that cannot be written to is reported before the picker, not after.
    let mut config = state.config()?;
    let (chosen, picked) = oneshot::channel();
    app.dialog()
        .file()
        .set_title("Import a Cubby profile")
        .add_filter("Cubby profile", &["toml"])
        .pick_file(move |file| {
            let _ = chosen.send(file);
        });
    let Some(file) = picked.await.ok().flatten() else {
        return Ok(None);
    };
    let path = file
        .into_path()
        .map_err(|err| Error::new(ErrorCode::Io, format!("cannot read the chosen file: {err}")))?;
    let text = tokio::fs::read_to_string(&path).await.map_err(|err| {
        Error::new(
            ErrorCode::Io,
            format!("cannot read {}: {err}", path.display()),
        )
    })?;
    let (name, profile) = Config::single_profile(&text, &path.display().to_string())?;
    config.insert_profile(&name, profile, false)?;
    config.save(&state.paths.config)?;
    Ok(Some(state.profiles().await?))
}

/// Removes a profile and forgets its saved session (unless another profile shares it); the
/// sandbox is built in and stays.
#[tauri::command]
pub async fn remove_profile(
    state: State<'_, AppState>,
    name: String,
) -> Result<Vec<ProfileSummary>> {
    if name == SANDBOX_PROFILE {
        return Err(sandbox_is_built_in());
    }
    let mut config = state.config()?;
    if let Some(key) = config.remove_profile(&name)? {
        state.store.delete(&key).await?;
    }
    config.save(&state.paths.config)?;
    let was_current = state
        .current
        .lock()
        .await
        .as_ref()
        .is_some_and(|current| current.name == name);
    if was_current {
        // Errors here are for the next screen: the list below still answers.
        let _ = state.select(&state.startup_profile()?).await;
    }
    state.profiles().await
}

fn sandbox_is_built_in() -> Error {
    Error::new(
        ErrorCode::ConfigInvalid,
        "\"Local sandbox\" is built in: choose another name for your profile",
    )
}

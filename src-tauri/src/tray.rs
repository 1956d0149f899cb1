//! The tray icon: the sync state in the icon (the app's icon as it is when idle, greyed when
//! paused, with a blue or red dot while syncing or on an error) and a menu to pause or resume
//! every pair, open a pair's folder, open the window and quit. What the menu holds and what
//! each entry does are plain functions; a desktop without a tray host (a bare X server) only
//! gets a log line.

use std::path::PathBuf;

use cubby_core::sync::{SyncOverall, SyncService, SyncSnapshot, SyncState};
use cubby_core::{Error, ErrorCode, Result};
use tauri::image::Image;
use tauri::menu::{IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// The tray icon's id.
const TRAY: &str = "cubby-sync";

/// The app's icon, which the tray's icons are made from.
const APP_ICON: &[u8] = include_bytes!("../../icons/32x32.png");

/// One entry of the tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Does `action` when clicked.
    Item {
        /// What it does.
        action: TrayAction,
        /// Its label.
        text: String,
    },
    /// Opens more entries.
    Submenu {
        /// Its label.
        text: String,
        /// What it holds.
        entries: Vec<Entry>,
    },
    /// A line between groups.
    Separator,
}

/// What a menu entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayAction {
    /// Pauses every pair.
    PauseAll,
    /// Resumes every pair.
    ResumeAll,
    /// Opens the local folder of the pair.
    OpenFolder(i64),
    /// Shows and focuses the window.
    OpenCubby,
    /// Stops syncing cleanly and quits.
    Quit,
}

impl TrayAction {
    /// The menu item id that names it.
    pub fn id(self) -> String {
        match self {
            Self::PauseAll => "pause-all".to_owned(),
            Self::ResumeAll => "resume-all".to_owned(),
            Self::OpenFolder(pair) => format!("open-folder:{pair}"),
            Self::OpenCubby => "open-cubby".to_owned(),
            Self::Quit => "quit".to_owned(),
        }
    }

    /// The action a menu item id names.
    pub fn parse(id: &str) -> Option<Self> {
        match id {
            "pause-all" => Some(Self::PauseAll),
            "resume-all" => Some(Self::ResumeAll),
            "open-cubby" => Some(Self::OpenCubby),
            "quit" => Some(Self::Quit),
            _ => id
                .strip_prefix("open-folder:")?
                .parse()
                .ok()
                .map(Self::OpenFolder),
        }
    }
}

/// What the app does after a menu action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing more (the service did it).
    Done,
    /// Open this folder in the file manager.
    Open(PathBuf),
    /// Show and focus the window.
    ShowWindow,
    /// Quit cleanly.
    Quit,
}

/// The menu for `snapshot`: Pause all and Resume all as they apply, Open folder (a submenu
/// when there are several pairs), Open Cubby, Quit.
pub fn menu(snapshot: &SyncSnapshot) -> Vec<Entry> {
    let item = |action: TrayAction, text: &str| Entry::Item {
        action,
        text: text.to_owned(),
    };
    let paused = |state: &SyncState| *state == SyncState::Paused;
    let mut entries = Vec::new();
    if snapshot.pairs.iter().any(|p| !paused(&p.status)) {
        entries.push(item(TrayAction::PauseAll, "Pause all"));
    }
    if snapshot.pairs.iter().any(|p| paused(&p.status)) {
        entries.push(item(TrayAction::ResumeAll, "Resume all"));
    }
    match snapshot.pairs.as_slice() {
        [] => {}
        [pair] => entries.push(item(TrayAction::OpenFolder(pair.id), "Open folder")),
        pairs => entries.push(Entry::Submenu {
            text: "Open folder".to_owned(),
            entries: pairs
                .iter()
                .map(|pair| item(TrayAction::OpenFolder(pair.id), &folder_name(pair)))
                .collect(),
        }),
    }
    if !entries.is_empty() {
        entries.push(Entry::Separator);
    }
    entries.push(item(TrayAction::OpenCubby, "Open Cubby"));
    entries.push(item(TrayAction::Quit, "Quit"));
    entries
}

fn folder_name(pair: &cubby_core::sync::SyncPairStatus) -> String {
    pair.local.display().to_string()
}

/// Does `action` with the signed-in folder's pairs (if any).
pub fn perform(action: TrayAction, service: Option<&SyncService>) -> Result<Effect> {
    let service = || {
        service
            .ok_or_else(|| Error::new(ErrorCode::AuthNotSignedIn, "not signed in; sign in first"))
    };
    match action {
        TrayAction::PauseAll => service()?.pause_all().map(|()| Effect::Done),
        TrayAction::ResumeAll => service()?.resume_all().map(|()| Effect::Done),
        TrayAction::OpenFolder(pair) => service()?.local_folder(pair).map(Effect::Open),
        TrayAction::OpenCubby => Ok(Effect::ShowWindow),
        TrayAction::Quit => Ok(Effect::Quit),
    }
}

/// The tray icon's pixels for `overall`, made from the app icon's RGBA pixels (`width` wide):
/// unchanged when idle, grey and faded when paused, with a dot (blue: syncing, red: an error)
/// in the lower right corner.
pub fn badged(rgba: &[u8], width: u32, overall: SyncOverall) -> Vec<u8> {
    let mut pixels = rgba.to_vec();
    let dot = match overall {
        SyncOverall::Idle => return pixels,
        SyncOverall::Paused => {
            for pixel in pixels.chunks_exact_mut(4) {
                let grey = ((u32::from(pixel[0]) * 30
                    + u32::from(pixel[1]) * 59
                    + u32::from(pixel[2]) * 11)
                    / 100) as u8;
                pixel[..3].fill(grey);
                pixel[3] /= 2;
            }
            return pixels;
        }
        SyncOverall::Syncing => [0x25, 0x63, 0xeb, 0xff],
        SyncOverall::Error => [0xdc, 0x26, 0x26, 0xff],
    };
    let height = (pixels.len() / 4) as u32 / width.max(1);
    let radius = width.min(height) as f32 / 4.0;
    let (cx, cy) = (width as f32 - radius, height as f32 - radius);
    for (n, pixel) in pixels.chunks_exact_mut(4).enumerate() {
        let (x, y) = (
            (n as u32 % width) as f32 + 0.5,
            (n as u32 / width) as f32 + 0.5,
        );
        if (x - cx).powi(2) + (y - cy).powi(2) <= radius.powi(2) {
            pixel.copy_from_slice(&dot);
        }
    }
    pixels
}

/// The icon for `overall`.
fn icon(overall: SyncOverall) -> tauri::Result<Image<'static>> {
    let app_icon = Image::from_bytes(APP_ICON)?;
    let pixels = badged(app_icon.rgba(), app_icon.width(), overall);
    Ok(Image::new_owned(
        pixels,
        app_icon.width(),
        app_icon.height(),
    ))
}

/// Puts the icon in the tray, for an empty snapshot; a desktop without a tray only logs.
pub fn create<R: Runtime>(app: &AppHandle<R>) {
    let made = icon(SyncOverall::Idle).and_then(|icon| {
        let menu = build_menu(app, &menu(&SyncSnapshot::of(Vec::new())))?;
        TrayIconBuilder::with_id(TRAY)
            .icon(icon)
            .tooltip(tooltip(&SyncSnapshot::of(Vec::new())))
            .menu(&menu)
            .on_menu_event(|app, event| clicked(app, event.id().as_ref()))
            .build(app)
    });
    if let Err(err) = made {
        tracing::info!(%err, "no tray icon (the desktop has no tray)");
    }
}

/// What the tray shows, so that a snapshot that changes neither the icon nor the menu (most
/// of them: one comes per file synced) leaves the tray alone.
#[derive(Debug, Default)]
pub struct Shown {
    overall: Option<SyncOverall>,
    entries: Vec<Entry>,
}

/// The tray's tooltip for `snapshot` (macOS and Windows show it).
pub fn tooltip(snapshot: &SyncSnapshot) -> &'static str {
    if snapshot.pairs.is_empty() {
        return "Cubby";
    }
    match snapshot.overall {
        SyncOverall::Idle => "Cubby: up to date",
        SyncOverall::Syncing => "Cubby: syncing",
        SyncOverall::Paused => "Cubby: sync paused",
        SyncOverall::Error => "Cubby: a sync needs your attention",
    }
}

/// Shows `snapshot` in the tray: the icon and tooltip when the overall state changed since
/// `shown`, the menu when it did.
pub fn show<R: Runtime>(app: &AppHandle<R>, snapshot: &SyncSnapshot, shown: &mut Shown) {
    let Some(tray) = app.tray_by_id(TRAY) else {
        return;
    };
    if shown.overall != Some(snapshot.overall) {
        let updated = icon(snapshot.overall)
            .and_then(|icon| tray.set_icon(Some(icon)))
            .and_then(|()| tray.set_tooltip(Some(tooltip(snapshot))));
        match updated {
            Ok(()) => shown.overall = Some(snapshot.overall),
            Err(err) => tracing::info!(%err, "the tray icon could not be updated"),
        }
    }
    let entries = menu(snapshot);
    if entries != shown.entries {
        match build_menu(app, &entries).and_then(|menu| tray.set_menu(Some(menu))) {
            Ok(()) => shown.entries = entries,
            Err(err) => tracing::info!(%err, "the tray menu could not be updated"),
        }
    }
}

fn build_menu<R: Runtime>(app: &AppHandle<R>, entries: &[Entry]) -> tauri::Result<Menu<R>> {
    let items = build_items(app, entries)?;
    let refs: Vec<&dyn IsMenuItem<R>> = items.iter().map(|item| item.as_ref()).collect();
    Menu::with_items(app, &refs)
}

fn build_items<R: Runtime>(
    app: &AppHandle<R>,
    entries: &[Entry],
) -> tauri::Result<Vec<Box<dyn IsMenuItem<R>>>> {
    entries
        .iter()
        .map(|entry| -> tauri::Result<Box<dyn IsMenuItem<R>>> {
            Ok(match entry {
                Entry::Item { action, text } => Box::new(MenuItem::with_id(
                    app,
                    action.id(),
                    text,
                    true,
                    None::<&str>,
                )?),
                Entry::Separator => Box::new(PredefinedMenuItem::separator(app)?),
                Entry::Submenu { text, entries } => {
                    let items = build_items(app, entries)?;
                    let refs: Vec<&dyn IsMenuItem<R>> =
                        items.iter().map(|item| item.as_ref()).collect();
                    Box::new(Submenu::with_items(app, text, true, &refs)?)
                }
            })
        })
        .collect()
}

fn clicked<R: Runtime>(app: &AppHandle<R>, id: &str) {
    let Some(action) = TrayAction::parse(id) else {
        return;
    };
    let service = app
        .state::<AppState>()
        .sync
        .lock()
        .expect("sync lock")
        .clone();
    match perform(action, service.as_ref()) {
        Ok(Effect::Done) => {}
        Ok(Effect::Open(folder)) => {
            if let Err(err) = open::that_detached(&folder) {
                tracing::warn!(%err, folder = %folder.display(), "the folder could not be opened");
            }
        }
        Ok(Effect::ShowWindow) => crate::focus_main_window(app),
        Ok(Effect::Quit) => app.exit(0),
        Err(err) => tracing::warn!(%err, "the tray action failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample_pair::sample_pair as pair;

    fn actions(entries: &[Entry]) -> Vec<TrayAction> {
        entries
            .iter()
            .flat_map(|entry| match entry {
                Entry::Item { action, .. } => vec![*action],
                Entry::Submenu { entries, .. } => actions(entries),
                Entry::Separator => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn without_pairs_the_menu_opens_cubby_or_quits() {
        let entries = menu(&SyncSnapshot::of(Vec::new()));
        assert_eq!(actions(&entries), [TrayAction::OpenCubby, TrayAction::Quit]);
    }

    #[test]
    fn one_pair_has_pause_and_its_folder() {
        let entries = menu(&SyncSnapshot::of(vec![pair(7, SyncState::Idle)]));
        assert_eq!(
            actions(&entries),
            [
                TrayAction::PauseAll,
                TrayAction::OpenFolder(7),
                TrayAction::OpenCubby,
                TrayAction::Quit
            ]
        );
    }

    #[test]
    fn several_pairs_open_from_a_submenu_and_paused_ones_resume() {
        let snapshot =
            SyncSnapshot::of(vec![pair(1, SyncState::Paused), pair(2, SyncState::Paused)]);
        let entries = menu(&snapshot);
        assert_eq!(
            actions(&entries),
            [
                TrayAction::ResumeAll,
                TrayAction::OpenFolder(1),
                TrayAction::OpenFolder(2),
                TrayAction::OpenCubby,
                TrayAction::Quit
            ]
        );
        assert!(
            matches!(&entries[1], Entry::Submenu { text, entries } if text == "Open folder" && entries.len() == 2)
        );
    }

    #[test]
    fn every_action_round_trips_through_its_menu_id() {
        for action in [
            TrayAction::PauseAll,
            TrayAction::ResumeAll,
            TrayAction::OpenFolder(42),
            TrayAction::OpenCubby,
            TrayAction::Quit,
        ] {
            assert_eq!(TrayAction::parse(&action.id()), Some(action));
        }
        assert_eq!(TrayAction::parse("open-folder:x"), None);
        assert_eq!(TrayAction::parse("something"), None);
    }

    #[test]
    fn window_and_quit_need_no_sign_in_but_pairs_do() {
        assert_eq!(
            perform(TrayAction::OpenCubby, None).unwrap(),
            Effect::ShowWindow
        );
        assert_eq!(perform(TrayAction::Quit, None).unwrap(), Effect::Quit);
        let err = perform(TrayAction::PauseAll, None).unwrap_err();
        assert_eq!(err.code, ErrorCode::AuthNotSignedIn);
    }

    #[test]
    fn the_icon_shows_the_state() {
        let width = 8;
        let rgba: Vec<u8> = [10u8, 200, 40, 255].repeat(64);
        assert_eq!(badged(&rgba, width, SyncOverall::Idle), rgba);
        let paused = badged(&rgba, width, SyncOverall::Paused);
        assert!(
            paused
                .chunks(4)
                .all(|p| p[0] == p[1] && p[1] == p[2] && p[3] == 127)
        );
        // The dot's centre is a quarter of the width in from the lower right corner.
        let corner = (6 * 8 + 6) * 4;
        let syncing = badged(&rgba, width, SyncOverall::Syncing);
        assert_eq!(&syncing[corner..corner + 4], &[0x25, 0x63, 0xeb, 0xff]);
        assert_eq!(&syncing[..4], &rgba[..4], "the top left stays");
        let error = badged(&rgba, width, SyncOverall::Error);
        assert_eq!(&error[corner..corner + 4], &[0xdc, 0x26, 0x26, 0xff]);
    }

    #[test]
    fn the_tooltip_says_the_state_once_there_are_pairs() {
        assert_eq!(tooltip(&SyncSnapshot::of(Vec::new())), "Cubby");
        let paused = SyncSnapshot::of(vec![pair(1, SyncState::Paused)]);
        assert_eq!(tooltip(&paused), "Cubby: sync paused");
        let both = SyncSnapshot::of(vec![pair(1, SyncState::Paused), pair(2, SyncState::Idle)]);
        assert_eq!(tooltip(&both), "Cubby: up to date");
    }

    #[test]
    fn the_app_icon_decodes() {
        assert!(icon(SyncOverall::Error).is_ok());
    }
}

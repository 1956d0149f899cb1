//! How the web view draws on Linux. WebKitGTK composites the page with OpenGL, sharing GPU
//! buffers with the app through a DRM render node. A machine without one (no GPU, a VM, a remote
//! or virtual display) gets Mesa's software GL instead, and there compositing is all cost: the
//! web process keeps about 90 MiB of GL buffers and tiles for a file list, and every frame is
//! drawn twice by the CPU (page, then composite). There the page is drawn without compositing,
//! by the CPU once. With a GPU nothing changes; WebKit's own WEBKIT_DISABLE_COMPOSITING_MODE and
//! WEBKIT_DISABLE_DMABUF_RENDERER still turn compositing off there (some NVIDIA setups need it).

use tauri::{App, Manager, Wry};
use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};

use crate::MAIN_WINDOW;

/// Where Linux lists its GPUs' render nodes (`renderD128`, …).
const DRM_DEVICES: &str = "/dev/dri";

/// Draws the main window's page without compositing when the machine has no GPU to composite
/// with; called before the page's first frame.
pub fn choose(app: &App<Wry>) {
    if has_render_node(DRM_DEVICES.as_ref()) {
        return;
    }
    let Some(window) = app.get_webview_window(MAIN_WINDOW) else {
        return;
    };
    let applied = window.with_webview(|webview| {
        if let Some(settings) = WebViewExt::settings(&webview.inner()) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
    match applied {
        Ok(()) => tracing::info!("no GPU render node: the page is drawn without compositing"),
        Err(err) => tracing::warn!(%err, "the web view's drawing could not be set"),
    }
}

/// Whether `devices` holds a DRM render node, that is, a GPU WebKit can share buffers through.
fn has_render_node(devices: &std::path::Path) -> bool {
    std::fs::read_dir(devices).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_node_is_a_gpu_and_nothing_else_is() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!has_render_node(&dir.path().join("missing")), "no /dev/dri");
        std::fs::write(dir.path().join("card0"), "").unwrap();
        assert!(!has_render_node(dir.path()), "a display controller alone");
        std::fs::write(dir.path().join("renderD128"), "").unwrap();
        assert!(has_render_node(dir.path()));
    }
}

// Keeps Windows release builds from opening a console window beside the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

/// The CLI's allocator, for the same reason: the transfer engine allocates a good deal per
/// request, and glibc's malloc took a noticeable share of the CPU of many small uploads (it
/// covers Rust's allocations only; the web view's C libraries keep theirs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cubby_desktop_lib::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("cubby-desktop: {error}");
            ExitCode::FAILURE
        }
    }
}

// Keeps Windows release builds from opening a console window beside the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    match cubby_desktop_lib::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("cubby-desktop: {error}");
            ExitCode::FAILURE
        }
    }
}

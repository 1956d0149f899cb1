//! The desktop app's speed, measured (bench/app.sh builds it with `--release` and runs it in a
//! desktop session): the release `cubby-desktop` beside this binary on a localcloud in this
//! process, driven through the app tests' harness, one run. Prints each figure against its goal
//! and how it was taken; bench/app.sh's header says how to read them.

#[cfg(target_os = "linux")]
mod memory;
#[cfg(target_os = "linux")]
mod page;
#[cfg(target_os = "linux")]
mod run;

#[cfg(target_os = "linux")]
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    let figures = run::all().await;
    println!("\n== the app's speed (release build, one run)");
    for figure in &figures {
        println!("{figure}");
    }
    let missed = figures.iter().filter(|f| !f.met()).count();
    println!(
        "== {} of {} goals met{}",
        figures.len() - missed,
        figures.len(),
        if missed > 0 {
            " (MISSED ones are marked)"
        } else {
            ""
        }
    );
    std::process::ExitCode::SUCCESS
}

#[cfg(not(target_os = "linux"))]
fn main() -> std::process::ExitCode {
    eprintln!("app-bench drives the app through tauri-driver, which needs Linux");
    std::process::ExitCode::FAILURE
}

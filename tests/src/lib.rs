//! Helpers shared by the end-to-end tests in this crate's `tests/` folder.

use std::path::PathBuf;

/// The `cubby` binary of this build, beside the test executable's `deps/` folder. Cargo does not
/// build another package's binary for a test: run `cargo build -p cubby-cli` first.
pub fn cubby_binary() -> PathBuf {
    let test_exe = std::env::current_exe().expect("the test knows its own path");
    let profile_dir = test_exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test executables live in target/PROFILE/deps");
    let cubby = profile_dir.join(format!("cubby{}", std::env::consts::EXE_SUFFIX));
    assert!(
        cubby.is_file(),
        "{} is missing: run `cargo build -p cubby-cli` before these tests",
        cubby.display()
    );
    cubby
}

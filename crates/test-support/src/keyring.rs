//! Tests of the real OS keyring.

/// Stops a test that needs the real Secret Service when there is no D-Bus session to find it
/// in, with the way to run it; on other systems the OS keyring is always there.
pub fn require_secret_service() {
    #[cfg(target_os = "linux")]
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "this test uses the real OS keyring: run it inside `dbus-run-session` with gnome-keyring unlocked (see scripts/test)"
    );
}

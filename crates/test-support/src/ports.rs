//! Loopback ports for servers a test starts itself.

use std::net::{Ipv4Addr, TcpListener};

/// A loopback port that nobody listened on a moment ago: for a server the test starts next,
/// or for an address where nobody answers.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

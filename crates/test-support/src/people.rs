//! The people with accounts on every [`TestCloud`](crate::TestCloud).

/// Someone who signs in: what a person types on the hosted sign-in page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    /// The sign-in name.
    pub email: &'static str,
    /// At least 8 characters, as the user pool asks.
    pub password: &'static str,
}

/// The person most tests sign in as.
pub const ALICE: Person = Person {
    email: "alice@example.com",
    password: "correct horse battery",
};

/// A second person, for tests of what one person cannot reach of another's.
pub const BOB: Person = Person {
    email: "bob@example.com",
    password: "bob password 2",
};

impl Person {
    /// The `(email, password)` pair localcloud's configuration takes.
    pub fn account(&self) -> (String, String) {
        (self.email.to_owned(), self.password.to_owned())
    }
}

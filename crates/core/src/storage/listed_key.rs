//! Keys a listing returned that are not clean paths: a decomposed-Unicode name as macOS tools
//! upload them, `//`, a `.` or `..` segment, a backslash, a control character. Other tools put
//! such keys in a bucket; Cubby must still list the folder, and let the person delete them.
//!
//! [`ListedKey`] is the one exception to "every key is made from a `RemotePath`": only a
//! listing makes one (no constructor takes input), so it can be shown and deleted, and nothing
//! typed or received can become one without the server having listed it first.

use std::fmt::Write as _;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use unicode_normalization::{UnicodeNormalization, is_nfc};

use super::remote_path::{FolderRoot, RemotePath};
use crate::error::{Error, ErrorCode, Result};

/// Why a listed key is not a clean path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyProblem {
    /// Decomposed Unicode (NFD): one name to a person, another to S3.
    Decomposed,
    /// An empty segment (`//`, or a leading `/`).
    EmptySegment,
    /// A `.` or `..` segment.
    DotSegment,
    /// A backslash.
    Backslash,
    /// A control character.
    ControlCharacter,
}

impl KeyProblem {
    /// What is wrong, for people.
    pub fn explain(self) -> &'static str {
        match self {
            Self::Decomposed => "its name is in decomposed Unicode (NFD)",
            Self::EmptySegment => "it has an empty segment ('//')",
            Self::DotSegment => "it has a '.' or '..' segment",
            Self::Backslash => "it contains a backslash",
            Self::ControlCharacter => "it contains a control character",
        }
    }

    /// What is wrong with `relative` (a key below the person's folder), if anything.
    pub(super) fn of(relative: &str) -> Option<Self> {
        if relative.is_empty() {
            return None; // the folder itself
        }
        let trimmed = relative.strip_suffix('/').unwrap_or(relative);
        for segment in trimmed.split('/') {
            let problem = match segment {
                "" => Self::EmptySegment,
                "." | ".." => Self::DotSegment,
                s if s.contains('\\') => Self::Backslash,
                s if s.chars().any(char::is_control) => Self::ControlCharacter,
                _ => continue,
            };
            return Some(problem);
        }
        (!is_nfc(trimmed)).then_some(Self::Decomposed)
    }
}

/// What a listed key stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Listed {
    /// A clean path.
    Path(RemotePath),
    /// A key that is not one.
    Unclean(ListedKey),
}

impl Listed {
    /// What `key`, listed in `folder`, stands for: its path, or a [`ListedKey`] when it is not
    /// a clean path (the one way to make one). Keys outside the folder are refused.
    pub(super) fn of(folder: &FolderRoot, key: &str) -> Result<Self> {
        let relative = folder.relative_of(key)?;
        match KeyProblem::of(relative) {
            Some(problem) => Ok(Self::Unclean(ListedKey::new(
                key,
                key.len() - relative.len(),
                problem,
            ))),
            None => folder.path_of_key(key).map(Self::Path),
        }
    }
}

/// A key, exactly as a listing returned it, that is not a clean path. It can be shown and
/// deleted ([`super::Storage::delete_listed`]); nothing else takes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListedKey {
    key: String,
    /// Where the part below the person's folder starts.
    relative_from: usize,
    problem: KeyProblem,
}

impl ListedKey {
    /// A listed `key` whose part below the folder (from byte `relative_from`) has `problem`.
    pub(super) fn new(key: &str, relative_from: usize, problem: KeyProblem) -> Self {
        Self {
            key: key.to_owned(),
            relative_from,
            problem,
        }
    }

    /// Why it is not a clean path.
    pub fn problem(&self) -> KeyProblem {
        self.problem
    }

    /// Whether it names a folder (a common prefix or a `name/` marker).
    pub fn is_folder(&self) -> bool {
        self.key.ends_with('/')
    }

    /// The key below the person's folder as a person reads it: composed Unicode, without a
    /// folder's trailing `/` (`docs/a//b.txt`, `été.txt`). Not unique: twins read the same.
    pub fn readable(&self) -> String {
        let relative = self.relative();
        relative
            .strip_suffix('/')
            .unwrap_or(relative)
            .nfc()
            .collect()
    }

    /// The key below the person's folder exactly, in a form that can be typed back: printable
    /// ASCII, `\\` for a backslash and `\u{…}` for any other character
    /// (`docs/e\u{301}t\u{e9}.txt`). [`super::Storage::find_listed`] takes this form.
    pub fn exact(&self) -> String {
        let mut shown = String::new();
        for c in self.relative().chars() {
            match c {
                '\\' => shown.push_str("\\\\"),
                ' '..='~' => shown.push(c),
                _ => {
                    let _ = write!(shown, "\\u{{{:x}}}", c as u32);
                }
            }
        }
        shown
    }

    /// The deepest folder holding this key whose own path is clean (the top of the person's
    /// folder at least).
    pub(super) fn holder(&self) -> RemotePath {
        let relative = self.relative();
        let trimmed = relative.strip_suffix('/').unwrap_or(relative);
        let mut holder = RemotePath::root();
        let Some((folders, _)) = trimmed.rsplit_once('/') else {
            return holder;
        };
        for segment in folders.split('/') {
            match holder.join(segment) {
                Ok(deeper) if !segment.is_empty() && deeper.name() == Some(segment) => {
                    holder = deeper;
                }
                _ => break,
            }
        }
        holder
    }

    /// The whole key, for the request that deletes it.
    pub(super) fn key(&self) -> &str {
        &self.key
    }

    fn relative(&self) -> &str {
        &self.key[self.relative_from..]
    }
}

/// `{"readable", "exact", "problem", "folder"}`: what a front end shows, and the form
/// `rm --key` takes back.
impl Serialize for ListedKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("ListedKey", 4)?;
        state.serialize_field("readable", &self.readable())?;
        state.serialize_field("exact", &self.exact())?;
        state.serialize_field("problem", &self.problem)?;
        state.serialize_field("folder", &self.is_folder())?;
        state.end()
    }
}

/// The key below the folder that the [`ListedKey::exact`] form `exact` stands for.
pub(super) fn unescape(exact: &str) -> Result<String> {
    let invalid = || {
        Error::new(
            ErrorCode::StorageInvalidPath,
            format!(
                "{exact:?} is not a key as `cubby ls` shows it: only \\\\ and \\u{{…}} escapes are allowed"
            ),
        )
    };
    let mut key = String::new();
    let mut chars = exact.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            key.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => key.push('\\'),
            Some('u') => {
                let rest = chars.as_str();
                let hex = rest
                    .strip_prefix('{')
                    .and_then(|r| r.split_once('}'))
                    .map(|(hex, _)| hex)
                    .ok_or_else(invalid)?;
                let code = u32::from_str_radix(hex, 16).map_err(|_| invalid())?;
                key.push(char::from_u32(code).ok_or_else(invalid)?);
                chars = rest[hex.len() + 2..].chars();
            }
            _ => return Err(invalid()),
        }
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_found_per_segment() {
        let cases = [
            ("docs/e\u{301}t\u{e9}.txt", Some(KeyProblem::Decomposed)),
            ("docs/a//b.txt", Some(KeyProblem::EmptySegment)),
            ("/top.txt", Some(KeyProblem::EmptySegment)),
            ("docs//", Some(KeyProblem::EmptySegment)),
            ("docs/../x.txt", Some(KeyProblem::DotSegment)),
            ("./x.txt", Some(KeyProblem::DotSegment)),
            ("back\\slash.txt", Some(KeyProblem::Backslash)),
            ("bell\u{7}.txt", Some(KeyProblem::ControlCharacter)),
            ("docs/\u{e9}t\u{e9}.txt", None),
            ("docs/sub/", None),
            ("", None),
            ("/", Some(KeyProblem::EmptySegment)),
            ("...hidden/a..b", None),
        ];
        for (relative, expected) in cases {
            assert_eq!(KeyProblem::of(relative), expected, "{relative:?}");
        }
    }

    #[test]
    fn the_exact_form_is_ascii_and_reads_back() {
        for relative in [
            "docs/e\u{301}t\u{e9}.txt",
            "a//b",
            "back\\slash\\u{41}.txt",
            "bell\u{7}",
            "日本/../x",
        ] {
            let key = format!("me/{relative}");
            let listed = ListedKey::new(&key, 3, KeyProblem::of(relative).unwrap());
            let exact = listed.exact();
            assert!(
                exact.chars().all(|c| c.is_ascii_graphic() || c == ' '),
                "{exact}"
            );
            assert_eq!(unescape(&exact).unwrap(), relative);
        }
        let nfd = ListedKey::new("me/e\u{301}t\u{e9}.txt", 3, KeyProblem::Decomposed);
        assert_eq!(nfd.exact(), "e\\u{301}t\\u{e9}.txt");
        assert_eq!(nfd.readable(), "\u{e9}t\u{e9}.txt");
    }

    #[test]
    fn the_holder_is_the_deepest_clean_folder() {
        let cases = [
            ("docs/a//b.txt", "docs/a"),
            ("docs/e\u{301}t.txt", "docs"),
            ("docs/caf\u{65}\u{301}/x.txt", "docs"),
            ("../x", ""),
            ("a\\\\b/c/d", ""),
            ("x//", "x"),
            ("/top", ""),
        ];
        for (exact, holder) in cases {
            let relative = unescape(exact).unwrap();
            let key = format!("me/{relative}");
            let listed = ListedKey::new(&key, 3, KeyProblem::of(&relative).unwrap());
            assert_eq!(listed.holder().as_str(), holder, "{exact}");
        }
    }

    #[test]
    fn malformed_escapes_are_refused() {
        for bad in ["a\\", "a\\n", "\\u{zz}", "\\u{110000}", "\\u41", "\\u{41"] {
            assert_eq!(
                unescape(bad).unwrap_err().code,
                ErrorCode::StorageInvalidPath,
                "{bad}"
            );
        }
    }
}

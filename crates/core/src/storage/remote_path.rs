//! `RemotePath`: the only way to name something in the person's folder, and `FolderRoot`, the
//! one place that turns such a path into an S3 key.
//!
//! A path is checked once, when it is made; a key can then never point outside the folder,
//! whatever the input was (`..`, absolute paths, backslashes, control characters, NFD tricks).

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use unicode_normalization::{UnicodeNormalization, is_nfc};

use crate::error::{Error, ErrorCode, Result};

/// S3's limit on the whole key, in UTF-8 bytes.
pub const MAX_KEY_BYTES: usize = 1024;

/// A normalized path relative to the person's folder: NFC, `/`-separated, no empty, `.` or
/// `..` segments, no control characters or backslashes. The empty path is the folder itself.
/// Serializes as [`Self::as_str`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct RemotePath(String);

impl RemotePath {
    /// The folder itself.
    pub fn root() -> Self {
        Self::default()
    }

    /// Reads a path as people type it: `docs/a.txt`, `/docs/a.txt`, `docs/` and `/` are fine
    /// (a leading `/` means the folder's top, a trailing `/` is ignored).
    pub fn parse(input: &str) -> Result<Self> {
        // Most paths are NFC already (all ASCII ones): checking costs less than composing.
        let normalized: Cow<str> = match is_nfc(input) {
            true => Cow::Borrowed(input),
            false => Cow::Owned(input.nfc().collect()),
        };
        let trimmed = normalized.strip_prefix('/').unwrap_or(&normalized);
        let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
        if trimmed.is_empty() {
            return Ok(Self::root());
        }
        for segment in trimmed.split('/') {
            check_segment(input, segment)?;
        }
        if trimmed.len() > MAX_KEY_BYTES {
            return Err(invalid(
                input,
                &format!("it is longer than S3's limit of {MAX_KEY_BYTES} bytes"),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// Whether this is the top of the person's folder.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The path as text, without leading or trailing `/` (empty for the folder itself).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last segment, or `None` for the folder itself.
    pub fn name(&self) -> Option<&str> {
        (!self.is_root()).then(|| self.0.rsplit('/').next().unwrap_or(&self.0))
    }

    /// The folder this path lies in; `None` for the top.
    pub fn parent(&self) -> Option<Self> {
        if self.is_root() {
            return None;
        }
        Some(match self.0.rsplit_once('/') {
            Some((parent, _)) => Self(parent.to_owned()),
            None => Self::root(),
        })
    }

    /// This path with one or more `/`-separated segments appended, checked like [`Self::parse`].
    pub fn join(&self, relative: &str) -> Result<Self> {
        let tail = Self::parse(relative)?;
        match (self.is_root(), tail.is_root()) {
            (true, _) => Ok(tail),
            (false, true) => Ok(self.clone()),
            (false, false) => Self::parse(&format!("{}/{}", self.0, tail.0)),
        }
    }

    /// The names along the path, top first.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|s| !s.is_empty())
    }

    /// The part of this path below `base`, if it lies inside (or is) `base`.
    pub fn relative_to(&self, base: &Self) -> Option<&str> {
        if base.is_root() {
            return Some(&self.0);
        }
        let rest = self.0.strip_prefix(&base.0)?;
        if rest.is_empty() {
            Some("")
        } else {
            rest.strip_prefix('/')
        }
    }
}

impl fmt::Display for RemotePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", self.0)
    }
}

fn check_segment(input: &str, segment: &str) -> Result<()> {
    let problem = match segment {
        "" => "it has an empty segment ('//')",
        "." | ".." => "'.' and '..' are not allowed in remote paths",
        s if s.chars().any(char::is_control) => "it contains a control character",
        s if s.contains('\\') => "it contains a backslash; use '/' to separate folders",
        _ => return Ok(()),
    };
    Err(invalid(input, problem))
}

fn invalid(input: &str, problem: &str) -> Error {
    Error::new(
        ErrorCode::StorageInvalidPath,
        format!(
            "remote path {:?} is not allowed: {problem}; use a relative path like docs/report.pdf",
            input.escape_debug().to_string()
        ),
    )
}

/// The key prefix of one person's folder, e.g. `us-east-1:1234.../`. Every key is made here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderRoot(String);

impl FolderRoot {
    /// `prefix` comes from the profile's folder template filled with the identity id.
    pub fn new(prefix: impl Into<String>) -> Result<Self> {
        let prefix = prefix.into();
        let ok = prefix.ends_with('/')
            && !prefix.starts_with('/')
            && prefix.len() < MAX_KEY_BYTES
            && prefix[..prefix.len() - 1]
                .split('/')
                .all(|s| !s.is_empty() && s != "." && s != "..");
        if ok {
            Ok(Self(prefix))
        } else {
            Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!(
                    "folder {prefix:?} must be a relative key prefix ending in '/', like \"us-east-1:1234/\""
                ),
            ))
        }
    }

    /// The key prefix of the person's folder; it ends with `/`.
    pub fn prefix(&self) -> &str {
        &self.0
    }

    /// The key of a file. The folder itself is not a file.
    pub fn object_key(&self, path: &RemotePath) -> Result<String> {
        if path.is_root() {
            return Err(Error::new(
                ErrorCode::StorageInvalidPath,
                "the folder itself is not a file; name a file inside it, like docs/report.pdf",
            ));
        }
        self.checked(format!("{}{}", self.0, path.0))
    }

    /// The prefix under which a folder's contents lie (`<folder>/path/`), also the key of its
    /// zero-byte marker.
    pub fn dir_prefix(&self, path: &RemotePath) -> Result<String> {
        if path.is_root() {
            return Ok(self.0.clone());
        }
        self.checked(format!("{}{}/", self.0, path.0))
    }

    /// The path a listed key stands for; keys outside the folder or not valid paths are refused.
    pub fn path_of_key(&self, key: &str) -> Result<RemotePath> {
        let relative = self.relative_of(key)?;
        let path = RemotePath::parse(relative)?;
        if path.0 != relative.trim_end_matches('/') {
            return Err(Error::new(
                ErrorCode::StorageInvalidPath,
                format!("key {key:?} is not a normalized path; rename it with another S3 tool"),
            ));
        }
        Ok(path)
    }

    /// `key` without the folder's prefix; keys outside the folder are refused.
    pub(super) fn relative_of<'a>(&self, key: &'a str) -> Result<&'a str> {
        key.strip_prefix(&self.0).ok_or_else(|| {
            Error::new(
                ErrorCode::StorageInvalidPath,
                format!("the server returned key {key:?}, which is outside this folder"),
            )
        })
    }

    fn checked(&self, key: String) -> Result<String> {
        if key.len() > MAX_KEY_BYTES {
            return Err(Error::new(
                ErrorCode::StorageInvalidPath,
                format!(
                    "the path makes a key of {} bytes, over S3's limit of {MAX_KEY_BYTES}; use a shorter name",
                    key.len()
                ),
            ));
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn folder() -> FolderRoot {
        FolderRoot::new("us-east-1:0000-1111/").unwrap()
    }

    #[test]
    fn accepts_and_normalizes_ordinary_paths() {
        let cases = [
            ("docs/a.txt", "docs/a.txt"),
            ("/docs/a.txt", "docs/a.txt"),
            ("docs/", "docs"),
            ("/", ""),
            ("", ""),
            ("e\u{301}t\u{e9}", "\u{e9}t\u{e9}"),
            ("...hidden/a..b", "...hidden/a..b"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                RemotePath::parse(input).unwrap().as_str(),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn refuses_escapes_and_junk_with_the_reason() {
        let cases = [
            ("../x", "'..'"),
            ("a/../../x", "'..'"),
            ("a/./b", "'.'"),
            ("a//b", "empty segment"),
            ("//a", "empty segment"),
            ("a\\..\\b", "backslash"),
            ("a\nb", "control character"),
            ("a\u{0}b", "control character"),
        ];
        for (input, reason) in cases {
            let err = RemotePath::parse(input).unwrap_err();
            assert_eq!(err.code, ErrorCode::StorageInvalidPath);
            assert!(err.message.contains(reason), "{input}: {}", err.message);
        }
        let long = "a/".repeat(600);
        assert!(
            RemotePath::parse(&long)
                .unwrap_err()
                .message
                .contains("1024")
        );
    }

    #[test]
    fn keys_and_prefixes() {
        let folder = folder();
        let path = RemotePath::parse("docs/a.txt").unwrap();
        assert_eq!(
            folder.object_key(&path).unwrap(),
            "us-east-1:0000-1111/docs/a.txt"
        );
        assert_eq!(
            folder.dir_prefix(&path.parent().unwrap()).unwrap(),
            "us-east-1:0000-1111/docs/"
        );
        assert_eq!(
            folder.dir_prefix(&RemotePath::root()).unwrap(),
            folder.prefix()
        );
        assert!(folder.object_key(&RemotePath::root()).is_err());
        let near_limit = RemotePath::parse(&"x".repeat(1020)).unwrap();
        assert!(
            folder
                .object_key(&near_limit)
                .unwrap_err()
                .message
                .contains("limit")
        );
        assert_eq!(
            folder
                .path_of_key("us-east-1:0000-1111/docs/sub/")
                .unwrap()
                .as_str(),
            "docs/sub"
        );
        assert!(folder.path_of_key("us-east-1:9999/docs/a").is_err());
        assert!(folder.path_of_key("us-east-1:0000-1111/a//b").is_err());
    }

    #[test]
    fn navigation() {
        let path = RemotePath::parse("a/b/c.txt").unwrap();
        assert_eq!(path.name(), Some("c.txt"));
        assert_eq!(path.parent().unwrap().as_str(), "a/b");
        assert_eq!(
            RemotePath::parse("a").unwrap().parent(),
            Some(RemotePath::root())
        );
        assert_eq!(RemotePath::root().name(), None);
        assert_eq!(RemotePath::root().join("x/y").unwrap().as_str(), "x/y");
        assert!(path.join("../../..").is_err());
        let base = RemotePath::parse("a").unwrap();
        assert_eq!(path.relative_to(&base), Some("b/c.txt"));
        assert_eq!(RemotePath::parse("ab").unwrap().relative_to(&base), None);
        assert_eq!(path.to_string(), "/a/b/c.txt");
    }

    #[test]
    fn folder_prefix_is_checked() {
        for bad in ["", "id", "/id/", "a//", "../id/"] {
            assert!(FolderRoot::new(bad).is_err(), "{bad}");
        }
        assert!(FolderRoot::new("private/us-east-1:1/").is_ok());
    }

    /// Path-like strings built from the characters that matter for escapes.
    fn tricky_input() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "/", "//", ".", "..", "\\", "a", "b", "é", "e\u{301}", "\u{0}", "\n", "\u{7f}", "%2e",
            "~", " ", "ß", "\u{202e}",
        ]);
        prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn no_input_yields_a_key_outside_the_folder(
            input in prop_oneof![tricky_input(), any::<String>()],
            suffix in tricky_input(),
        ) {
            let folder = folder();
            let Ok(path) = RemotePath::parse(&input) else { return Ok(()) };
            let candidates = [Some(path.clone()), path.join(&suffix).ok(), path.parent()];
            for path in candidates.into_iter().flatten() {
                let key = folder.dir_prefix(&path).or_else(|_| folder.object_key(&path));
                let Ok(key) = key else { continue };
                let rest = key.strip_prefix(folder.prefix()).expect("key under the folder");
                prop_assert!(key.len() <= MAX_KEY_BYTES);
                prop_assert!(rest.trim_end_matches('/').split('/').all(|s| s != ".." && s != "."));
                prop_assert!(!rest.starts_with('/') && !rest.contains('\\'));
                prop_assert!(!rest.chars().any(char::is_control));
                prop_assert_eq!(folder.path_of_key(&key).unwrap(), path.clone());
                prop_assert_eq!(RemotePath::parse(path.as_str()).unwrap(), path);
            }
        }
    }
}

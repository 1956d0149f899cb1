//! Remote names that cannot be local file names. Remote paths are already free of `..`,
//! control characters and backslashes; what is left are the limits of local file systems:
//! 255-byte names everywhere, and Windows' reserved characters and device names. Such a name
//! is refused with a clear error, never silently changed.

use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorCode, Result};
use crate::storage::RemotePath;

/// Longest file name (one path segment) on common file systems, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// Where the remote `path` goes below the local folder `dir`, with `base` (a folder being
/// downloaded) stripped first; `None` for `base` keeps only the file name.
pub fn local_path_for(dir: &Path, path: &RemotePath, base: Option<&RemotePath>) -> Result<PathBuf> {
    let relative = match base {
        Some(base) => path.relative_to(base).unwrap_or(path.as_str()),
        None => path.name().unwrap_or_default(),
    };
    let mut local = dir.to_path_buf();
    for segment in relative.split('/').filter(|s| !s.is_empty()) {
        if let Some(problem) = name_problem(segment, cfg!(windows)) {
            return Err(Error::new(
                ErrorCode::TransferInvalidLocalName,
                format!(
                    "{path} cannot be saved on this computer: the name {segment:?} {problem}; rename it in the folder first (cubby mv)"
                ),
            ));
        }
        local.push(segment);
    }
    Ok(local)
}

pub(crate) fn name_problem(name: &str, windows: bool) -> Option<&'static str> {
    if name.len() > MAX_NAME_BYTES {
        return Some("is longer than 255 bytes");
    }
    if !windows {
        return None;
    }
    // Windows also takes the superscript digits ¹ ² ³ as port numbers.
    const RESERVED: [&str; 32] = [
        "CON",
        "PRN",
        "AUX",
        "NUL",
        "CONIN$",
        "CONOUT$",
        "COM0",
        "COM1",
        "COM2",
        "COM3",
        "COM4",
        "COM5",
        "COM6",
        "COM7",
        "COM8",
        "COM9",
        "COM\u{b9}",
        "COM\u{b2}",
        "COM\u{b3}",
        "LPT0",
        "LPT1",
        "LPT2",
        "LPT3",
        "LPT4",
        "LPT5",
        "LPT6",
        "LPT7",
        "LPT8",
        "LPT9",
        "LPT\u{b9}",
        "LPT\u{b2}",
        "LPT\u{b3}",
    ];
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    if name.contains(['<', '>', ':', '"', '|', '?', '*']) {
        Some("contains a character Windows does not allow (< > : \" | ? *)")
    } else if name.ends_with(['.', ' ']) {
        Some("ends with a dot or space, which Windows drops")
    } else if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        Some("is a device name reserved by Windows")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_remote_paths_below_the_target() {
        let base = RemotePath::parse("photos").unwrap();
        let path = RemotePath::parse("photos/2024/a.jpg").unwrap();
        assert_eq!(
            local_path_for(Path::new("/tmp/x"), &path, Some(&base)).unwrap(),
            Path::new("/tmp/x/2024/a.jpg")
        );
        assert_eq!(
            local_path_for(Path::new("/tmp/x"), &path, None).unwrap(),
            Path::new("/tmp/x/a.jpg")
        );
    }

    #[test]
    fn refuses_names_this_os_cannot_store() {
        let long = RemotePath::parse(&"n".repeat(300)).unwrap();
        let err = local_path_for(Path::new("/tmp"), &long, None).unwrap_err();
        assert_eq!(err.code, ErrorCode::TransferInvalidLocalName);
        assert!(err.message.contains("255 bytes"), "{}", err.message);
    }

    #[test]
    fn windows_rules() {
        for bad in ["a:b", "what?", "con", "NUL.txt", "lpt1 ", "trailing."] {
            assert!(name_problem(bad, true).is_some(), "{bad}");
            assert!(name_problem(bad, false).is_none(), "{bad}");
        }
        for bad in ["COM¹", "lpt³.txt", "COM0", "LPT0", "CONIN$", "conout$.log"] {
            assert!(name_problem(bad, true).is_some(), "{bad}");
        }
        for good in [
            "report.pdf",
            "console.log",
            "com10",
            "ünïcødé",
            "COM⁴",
            "CONIN",
        ] {
            assert!(name_problem(good, true).is_none(), "{good}");
        }
    }
}

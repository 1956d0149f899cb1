//! Which names the local disk can hold: Windows' reserved names and characters, overlong
//! names, and whether names equal but for case are one name there. A path that breaks these is
//! a sync issue, shown to the person, never skipped in silence or written over another file.

use crate::transfer::name_problem;

/// The local disk's naming rules; the system's by default, set by tests (this disk is
/// case-sensitive and not Windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameRules {
    /// Whether Windows' reserved names and characters are refused.
    pub windows: bool,
    /// Whether `A.txt` and `a.txt` are one name on the disk.
    pub folds_case: bool,
}

impl NameRules {
    /// This system's rules, with `folds_case` as found on the disk.
    pub fn for_this_system(folds_case: bool) -> Self {
        Self {
            windows: cfg!(windows),
            folds_case,
        }
    }

    /// Why `path` cannot be a local path here, if it cannot.
    pub fn problem(&self, path: &str) -> Option<String> {
        path.split('/').find_map(|segment| {
            name_problem(segment, self.windows).map(|why| format!("the name {segment:?} {why}"))
        })
    }

    /// The form under which two paths are one name on the disk.
    pub fn folded(&self, path: &str) -> String {
        match self.folds_case {
            true => path.to_lowercase(),
            false => path.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_names_are_refused_only_by_windows_rules() {
        let windows = NameRules {
            windows: true,
            folds_case: true,
        };
        let linux = NameRules {
            windows: false,
            folds_case: false,
        };
        for bad in ["docs/CON.txt", "a:b/c", "x/what?.txt", "dir./f"] {
            assert!(windows.problem(bad).is_some(), "{bad}");
            assert_eq!(linux.problem(bad), None, "{bad}");
        }
        assert!(linux.problem(&"n".repeat(256)).is_some());
        assert_eq!(windows.folded("Docs/A.TXT"), "docs/a.txt");
        assert_eq!(linux.folded("Docs/A.TXT"), "Docs/A.TXT");
    }
}

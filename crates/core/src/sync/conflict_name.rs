//! The name a conflict's losing version is kept under: `name (conflict YYYY-MM-DD HHMMSS
//! HOST).ext` beside the original, so people see both and know when and where each was made.

use time::OffsetDateTime;

/// When and where a run makes its conflict copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictStamp {
    /// `YYYY-MM-DD HHMMSS`, in UTC.
    pub when: String,
    /// The machine's name, without characters a file name cannot hold.
    pub host: String,
}

impl ConflictStamp {
    /// The stamp of `now` on the machine `host`.
    pub fn new(now: OffsetDateTime, host: &str) -> Self {
        let utc = now.to_offset(time::UtcOffset::UTC);
        let when = format!(
            "{:04}-{:02}-{:02} {:02}{:02}{:02}",
            utc.year(),
            u8::from(utc.month()),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second()
        );
        let host: String = host
            .chars()
            .filter(|c| !c.is_control() && !"/\\<>:\"|?*".contains(*c))
            .collect();
        let host = match host.trim() {
            "" => "unknown host".to_owned(),
            trimmed => trimmed.to_owned(),
        };
        Self { when, host }
    }

    /// This machine's stamp now.
    pub fn now() -> Self {
        Self::new(
            OffsetDateTime::now_utc(),
            &gethostname::gethostname().to_string_lossy(),
        )
    }

    /// The conflict copy's path for `path`, the first that `taken` does not claim (a second
    /// conflict of the same second gets ` 2`, and so on).
    pub fn path_for(&self, path: &str, taken: impl Fn(&str) -> bool) -> String {
        let (dir, name) = match path.rsplit_once('/') {
            Some((dir, name)) => (Some(dir), name),
            None => (None, path),
        };
        let (stem, ext) = match name.rfind('.') {
            Some(dot) if dot > 0 => (&name[..dot], &name[dot..]),
            _ => (name, ""),
        };
        (1..)
            .map(|n| {
                let counter = if n == 1 {
                    String::new()
                } else {
                    format!(" {n}")
                };
                let copy = format!(
                    "{stem} (conflict {} {}{counter}){ext}",
                    self.when, self.host
                );
                match dir {
                    Some(dir) => format!("{dir}/{copy}"),
                    None => copy,
                }
            })
            .find(|candidate| !taken(candidate))
            .expect("some counter is free")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(unix: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(unix).unwrap()
    }

    fn stamp() -> ConflictStamp {
        ConflictStamp::new(at(1_795_770_303), "laptop")
    }

    #[test]
    fn names_keep_the_extension_and_folder() {
        let stamp = stamp();
        let free = |_: &str| false;
        assert_eq!(
            stamp.path_for("docs/report.pdf", free),
            "docs/report (conflict 2026-11-27 090503 laptop).pdf"
        );
        assert_eq!(
            stamp.path_for("Makefile", free),
            "Makefile (conflict 2026-11-27 090503 laptop)"
        );
        assert_eq!(
            stamp.path_for(".bashrc", free),
            ".bashrc (conflict 2026-11-27 090503 laptop)"
        );
        assert_eq!(
            stamp.path_for("a.tar.gz", free),
            "a.tar (conflict 2026-11-27 090503 laptop).gz"
        );
    }

    #[test]
    fn a_taken_name_gets_a_counter() {
        let first = "n (conflict 2026-11-27 090503 laptop).txt";
        assert_eq!(
            stamp().path_for("n.txt", |p| p == first),
            "n (conflict 2026-11-27 090503 laptop 2).txt"
        );
    }

    #[test]
    fn hosts_lose_characters_names_cannot_hold() {
        let plus_two = time::UtcOffset::from_hms(2, 0, 0).unwrap();
        let stamp = ConflictStamp::new(at(1_767_315_845).to_offset(plus_two), "a/b:c\u{7}");
        assert_eq!(stamp.host, "abc");
        assert_eq!(stamp.when, "2026-01-02 010405");
        assert_eq!(ConflictStamp::new(at(0), "//").host, "unknown host");
    }
}

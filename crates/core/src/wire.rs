//! How core's values look to front ends: the JSON lines of the CLI and the desktop app's IPC get
//! the same `Serialize` output of core's types, so these conventions are decided here, once:
//! - times are RFC 3339 strings in UTC to the whole second (`"2020-09-13T12:26:40Z"`), which
//!   `new Date(...)` reads and people can read; sub-second digits only add noise to a display;
//! - durations are whole milliseconds, in fields whose names end in `_ms`;
//! - local paths are text, with U+FFFD for bytes of a name that is not UTF-8;
//! - field names are snake_case and enums are tagged with a field naming the variant.
//!
//! The helpers are public for front ends' own views of core's values, so they follow the same
//! conventions.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serializer;
use serde::ser::Error as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `time` as RFC 3339 in UTC to the whole second, or `None` when RFC 3339 cannot write it
/// (before year 0 or after 9999).
pub fn rfc3339(time: SystemTime) -> Option<String> {
    let nanos = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).ok()?,
        Err(before) => -i128::try_from(before.duration().as_nanos()).ok()?,
    };
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()?
        .replace_nanosecond(0)
        .ok()?
        .format(&Rfc3339)
        .ok()
}

/// Serializes a time as [`rfc3339`]; fails for a time it cannot write.
pub fn time<S: Serializer>(time: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
    let text = rfc3339(*time)
        .ok_or_else(|| S::Error::custom(format!("{time:?} cannot be written as RFC 3339")))?;
    serializer.serialize_str(&text)
}

/// Serializes a time as [`rfc3339`], and as `null` when there is none or RFC 3339 cannot write it.
pub fn optional_time<S: Serializer>(
    time: &Option<SystemTime>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time.and_then(rfc3339) {
        Some(text) => serializer.serialize_str(&text),
        None => serializer.serialize_none(),
    }
}

/// Serializes a duration as whole milliseconds.
pub fn millis<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(whole_millis(*duration))
}

/// Serializes a duration as whole milliseconds, and as `null` when there is none.
pub fn optional_millis<S: Serializer>(
    duration: &Option<Duration>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match duration {
        Some(duration) => serializer.serialize_u64(whole_millis(*duration)),
        None => serializer.serialize_none(),
    }
}

/// Serializes a local path as text, lossily: a front end shows it, never opens it.
pub fn lossy_path<S: Serializer>(
    path: &impl AsRef<Path>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path.as_ref().to_string_lossy())
}

/// Milliseconds as a JSON number a TypeScript `number` holds (more than 500 million years).
fn whole_millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde::Serialize;
    use serde_json::json;

    use super::*;

    #[derive(Serialize)]
    struct Shown {
        #[serde(serialize_with = "time")]
        at: SystemTime,
        #[serde(serialize_with = "optional_time")]
        maybe_at: Option<SystemTime>,
        #[serde(serialize_with = "millis")]
        delay_ms: Duration,
        #[serde(serialize_with = "optional_millis")]
        eta_ms: Option<Duration>,
        #[serde(serialize_with = "lossy_path")]
        local: PathBuf,
    }

    #[test]
    fn conventions() {
        let at = UNIX_EPOCH + Duration::new(1_600_000_000, 999_999_999);
        let shown = Shown {
            at,
            maybe_at: None,
            delay_ms: Duration::from_micros(1_500_900),
            eta_ms: Some(Duration::from_secs(3)),
            local: PathBuf::from("docs/a.txt"),
        };
        assert_eq!(
            serde_json::to_value(&shown).unwrap(),
            json!({
                "at": "2020-09-13T12:26:40Z",
                "maybe_at": null,
                "delay_ms": 1500,
                "eta_ms": 3000,
                "local": "docs/a.txt",
            })
        );
    }

    #[test]
    fn times_outside_rfc3339_are_none_not_a_panic() {
        assert_eq!(
            rfc3339(UNIX_EPOCH - Duration::from_millis(500)).as_deref(),
            Some("1969-12-31T23:59:59Z")
        );
        let far = UNIX_EPOCH + Duration::from_secs(1_000_000_000_000);
        assert_eq!(rfc3339(far), None);
        assert!(
            serde_json::to_value(Shown {
                at: far,
                maybe_at: None,
                delay_ms: Duration::ZERO,
                eta_ms: None,
                local: PathBuf::new(),
            })
            .is_err()
        );
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_local_names_are_shown_lossily() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;

        let path = Path::new(OsStr::from_bytes(b"caf\xe9.txt"));
        let mut out = Vec::new();
        lossy_path(&path, &mut serde_json::Serializer::new(&mut out)).unwrap();
        assert_eq!(out, "\"caf\u{fffd}.txt\"".as_bytes());
    }
}

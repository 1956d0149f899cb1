//! The config file: where it is, reading it as TOML, writing it back without ever leaving a
//! half-written file.

use std::path::{Path, PathBuf};

use super::raw::RawConfig;
use super::types::{Config, Profile};
use super::validate;
use crate::error::{Error, ErrorCode, Result};

impl Config {
    /// The config file used when none is given: `config.toml` in the platform config directory.
    pub fn default_path() -> Result<PathBuf> {
        directories::ProjectDirs::from("app", "Cubby", "cubby")
            .map(|dirs| dirs.config_dir().join("config.toml"))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::ConfigNotFound,
                    "cannot find this user's config directory (is $HOME set?); pass --config FILE",
                )
            })
    }

    /// Reads a config file. A missing file is an empty config, so `profile add` can create it.
    pub fn load(path: &Path) -> Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text).map_err(|err| err.prefixed(path.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(err) => Err(Error::new(
                ErrorCode::Io,
                format!(
                    "cannot read config file {}: {err}; check its permissions",
                    path.display()
                ),
            )
            .with_source(err)),
        }
    }

    /// A config from the text of a config file, every value checked.
    pub fn parse(text: &str) -> Result<Self> {
        let raw: RawConfig = toml::from_str(text).map_err(|err| {
            Error::new(
                ErrorCode::ConfigInvalid,
                format!("not a valid Cubby config: {}", err.to_string().trim_end()),
            )
        })?;
        validate::config(raw)
    }

    /// The text of the config file, as [`Config::parse`] reads it back.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(&RawConfig::from(self)).expect("a config always serializes")
    }

    /// Writes the file atomically: a crash never leaves a half-written config behind.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomically(path, &self.to_toml())
    }
}

/// Writes `text` to a temporary file beside `path`, then renames it over `path`: a crash never
/// leaves a half-written file behind.
pub fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let io_error = |err: std::io::Error| {
        Error::new(
            ErrorCode::Io,
            format!("cannot write {}: {err}", path.display()),
        )
        .with_source(err)
    };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_error)?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("config"),
        std::process::id()
    ));
    std::fs::write(&tmp, text).map_err(io_error)?;
    std::fs::rename(&tmp, path).map_err(|err| {
        let _ = std::fs::remove_file(&tmp);
        io_error(err)
    })
}

impl Profile {
    /// This profile as the TOML table `[profiles.NAME]`, ready to paste into a config file.
    pub fn to_toml(&self, name: &str) -> String {
        let mut config = Config::default();
        config.profiles.insert(name.to_owned(), self.clone());
        config.to_toml()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::sample::GOOD;

    #[test]
    fn round_trips_through_toml() {
        let config = Config::parse(GOOD).unwrap();
        assert_eq!(Config::parse(&config.to_toml()).unwrap(), config);
        let single = config.profiles["local"].to_toml("sandbox");
        let reparsed = Config::parse(&single).unwrap();
        assert_eq!(reparsed.profiles["sandbox"], config.profiles["local"]);
    }

    #[test]
    fn unknown_fields_are_reported() {
        let err =
            Config::parse(&GOOD.replace("bucket = \"cubby\"", "bucket = \"cubby\"\nbukket = 1"))
                .unwrap_err();
        assert!(err.message.contains("bukket"), "{}", err.message);
    }

    #[test]
    fn save_is_atomic_and_load_of_missing_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        assert_eq!(Config::load(&path).unwrap(), Config::default());
        let config = Config::parse(GOOD).unwrap();
        config.save(&path).unwrap();
        assert_eq!(Config::load(&path).unwrap(), config);
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
        std::fs::write(&path, "profiles = 3").unwrap();
        let err = Config::load(&path).unwrap_err();
        assert!(
            err.message.starts_with(&path.display().to_string()),
            "{}",
            err.message
        );
    }
}

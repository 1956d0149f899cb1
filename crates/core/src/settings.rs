//! A person's preferences for the desktop app, kept beside the config file so that they
//! survive updates and a broken file never keeps the app from starting.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::{Error, ErrorCode, Result};
use crate::transfer::TransferOptions;

/// The most transfers a person may run at once; more only queues at the server.
pub const MAX_CONCURRENCY: usize = 64;

/// Light, dark, or whatever the system uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Always light.
    Light,
    /// Always dark.
    Dark,
    /// Follows the system's appearance, live.
    #[default]
    System,
}

/// What the Settings screen changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// How many files transfer at once (1 to [`MAX_CONCURRENCY`]): `files_in_flight`.
    pub concurrency: usize,
    /// The app's appearance.
    pub theme: Theme,
    /// Whether the app starts (in the background) when the person logs in; off unless
    /// chosen, and absent from files older than the switch.
    pub start_at_login: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            concurrency: TransferOptions::default().files_in_flight,
            theme: Theme::default(),
            start_at_login: false,
        }
    }
}

impl Settings {
    /// `settings.toml` beside the config file.
    pub fn default_path() -> Result<PathBuf> {
        let config = Config::default_path()?;
        Ok(config.with_file_name("settings.toml"))
    }

    /// The saved settings; the defaults when there is no file. A file that cannot be read as
    /// settings gives the defaults too, with the reason, so the app starts and can say so.
    pub fn load(path: &Path) -> (Self, Option<Error>) {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return (Self::default(), None);
            }
            Err(err) => {
                let problem = format!(
                    "cannot read {}: {err}; using the default settings",
                    path.display()
                );
                return (Self::default(), Some(Error::new(ErrorCode::Io, problem)));
            }
        };
        match toml::from_str::<Self>(&text)
            .map_err(|err| err.to_string())
            .and_then(Self::checked)
        {
            Ok(settings) => (settings, None),
            Err(problem) => {
                let problem = format!(
                    "{} is not valid ({}); using the default settings until they are changed",
                    path.display(),
                    problem.trim_end()
                );
                (
                    Self::default(),
                    Some(Error::new(ErrorCode::ConfigInvalid, problem)),
                )
            }
        }
    }

    /// Checks the values and writes the file atomically; the settings as saved.
    pub fn save(self, path: &Path) -> Result<Self> {
        let settings = self
            .checked()
            .map_err(|problem| Error::new(ErrorCode::ConfigInvalid, problem))?;
        let text = toml::to_string_pretty(&settings).expect("settings always serialize");
        crate::config::write_atomically(path, &text)?;
        Ok(settings)
    }

    fn checked(self) -> std::result::Result<Self, String> {
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            return Err(format!(
                "concurrency must be between 1 and {MAX_CONCURRENCY}, not {}",
                self.concurrency
            ));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_loads_and_refuses_out_of_range_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        let (loaded, problem) = Settings::load(&path);
        assert_eq!(loaded, Settings::default());
        assert!(problem.is_none(), "{problem:?}");
        let chosen = Settings {
            concurrency: 3,
            theme: Theme::Dark,
            start_at_login: true,
        };
        assert_eq!(chosen.clone().save(&path).unwrap(), chosen);
        let (loaded, problem) = Settings::load(&path);
        assert_eq!(loaded, chosen);
        assert!(problem.is_none(), "{problem:?}");
        let err = Settings {
            concurrency: 0,
            theme: Theme::Light,
            start_at_login: false,
        }
        .save(&path)
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::ConfigInvalid);
        assert!(err.message.contains("between 1 and 64"), "{}", err.message);
    }

    #[test]
    fn a_file_from_before_start_at_login_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "concurrency = 2\ntheme = \"dark\"\n").unwrap();
        let (settings, problem) = Settings::load(&path);
        assert!(problem.is_none(), "{problem:?}");
        assert_eq!(
            settings,
            Settings {
                concurrency: 2,
                theme: Theme::Dark,
                start_at_login: false,
            }
        );
    }

    #[test]
    fn a_broken_file_gives_the_defaults_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "theme = \"purple\"\n").unwrap();
        let (settings, problem) = Settings::load(&path);
        assert_eq!(settings, Settings::default());
        let problem = problem.expect("a reason");
        assert_eq!(problem.code, ErrorCode::ConfigInvalid);
        assert!(
            problem.message.contains("settings.toml"),
            "{}",
            problem.message
        );
    }
}

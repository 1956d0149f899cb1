//! `cubby profile list|show|add|import|remove`: the profiles in the config file.

use std::io::Read;
use std::path::PathBuf;

use clap::Subcommand;
use cubby_core::config::{Config, Profile, ProfileDraft};
use cubby_core::secrets::SecretStore;
use cubby_core::{Error, ErrorCode, Result};

use crate::context::Context;

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// List the profiles (the default one is marked with `*`).
    List,
    /// Print a profile as TOML.
    Show {
        /// Profile to show (default: --profile, or the config's default).
        name: Option<String>,
    },
    /// Add a profile from a TOML file holding one `[profiles.ANY]` table (`-` reads stdin).
    Add {
        name: String,
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// Make it the default profile.
        #[arg(long)]
        default: bool,
        /// Replace a profile of the same name.
        #[arg(long)]
        force: bool,
    },
    /// Add the profile of a stack of infra/cubby.yaml (see infra/README.md).
    Import {
        /// The JSON of `aws cloudformation describe-stacks --stack-name STACK` (`-` reads stdin).
        #[arg(long, value_name = "FILE")]
        stack_outputs: PathBuf,
        /// Name of the profile (default: the stack's name).
        #[arg(long)]
        name: Option<String>,
        /// Make it the default profile.
        #[arg(long)]
        default: bool,
        /// Replace a profile of the same name.
        #[arg(long)]
        force: bool,
    },
    /// Remove a profile from the config file.
    Remove { name: String },
}

pub async fn run(context: &Context, command: ProfileCommand) -> Result<()> {
    match command {
        ProfileCommand::List => list(context),
        ProfileCommand::Show { name } => {
            let (name, profile) = context.profile(name.as_deref())?;
            print!("{}", profile.to_toml(&name));
            Ok(())
        }
        ProfileCommand::Add {
            name,
            from,
            default,
            force,
        } => {
            let text = read_source(&from)?;
            let (_, profile) = Config::single_profile(&text, &from.display().to_string())?;
            save_new(context, &name, profile, default, force)
        }
        ProfileCommand::Import {
            stack_outputs,
            name,
            default,
            force,
        } => {
            let source = stack_outputs.display().to_string();
            let mut draft =
                ProfileDraft::from_stack_outputs(&read_source(&stack_outputs)?, &source)?;
            if let Some(name) = name {
                draft.name = name;
            }
            let (name, profile) = draft.check(None).map_err(|err| err.prefixed(&source))?;
            save_new(context, &name, profile, default, force)
        }
        ProfileCommand::Remove { name } => remove(context, &name).await,
    }
}

fn list(context: &Context) -> Result<()> {
    let config = context.load_config()?;
    if config.profiles.is_empty() {
        eprintln!(
            "No profiles in {}; add one with `cubby profile add NAME --from FILE`",
            context.config_path()?.display()
        );
    }
    for name in config.profiles.keys() {
        let mark = if config.default_profile.as_deref() == Some(name) {
            "*"
        } else {
            " "
        };
        println!("{mark} {name}");
    }
    Ok(())
}

/// The text of `from`, or of stdin for `-`.
fn read_source(from: &PathBuf) -> Result<String> {
    if from.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|err| Error::new(ErrorCode::Io, format!("cannot read stdin: {err}")))?;
        Ok(text)
    } else {
        std::fs::read_to_string(from).map_err(|err| {
            Error::new(
                ErrorCode::Io,
                format!("cannot read {}: {err}", from.display()),
            )
        })
    }
}

/// Adds `profile` to the config file as `name` (see `Config::insert_profile`).
fn save_new(
    context: &Context,
    name: &str,
    profile: Profile,
    default: bool,
    force: bool,
) -> Result<()> {
    let path = context.config_path()?;
    let mut config = Config::load(&path)?;
    config
        .insert_profile(name, profile, force)
        .map_err(|err| err.prefixed(path.display()))?;
    if default {
        config.default_profile = Some(name.to_owned());
    }
    config.save(&path)?;
    println!("Added profile '{name}' to {}", path.display());
    Ok(())
}

/// Removes the profile and forgets a session saved for it, unless another profile shares it
/// (same user pool, app client, identity pool and bucket). Use `cubby logout` first to also
/// revoke it at the sign-in service.
async fn remove(context: &Context, name: &str) -> Result<()> {
    let path = context.config_path()?;
    let mut config = Config::load(&path)?;
    if let Some(key) = config.remove_profile(name)?
        && let Err(err) = SecretStore::Keyring.delete(&key).await
    {
        eprintln!("cubby: warning: {err}; a session saved for '{name}' may remain in the keyring");
    }
    config.save(&path)?;
    println!("Removed profile '{name}' from {}", path.display());
    Ok(())
}

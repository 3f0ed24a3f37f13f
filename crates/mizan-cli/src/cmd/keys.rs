//! `mizan keys`: cache keys and permission keys, as the server derives them.

use std::process::ExitCode;

use mizan_core::KeyScope;

use super::{CliError, decode_hex};

/// Subcommands of `mizan keys`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Print the cache key of a function call.
    Derive {
        /// The cache secret, hex.
        #[arg(long)]
        secret_hex: String,
        /// The function name.
        #[arg(long = "fn")]
        function: String,
        /// The input, as JSON text.
        #[arg(long)]
        input: String,
        /// Who may read the entry.
        #[arg(long, value_enum)]
        scope: Scope,
        /// Permission key (scope permission) or user id (scope user); ignored for public.
        #[arg(long, default_value = "")]
        who: String,
        /// The revision.
        #[arg(long, default_value_t = 0)]
        rev: u64,
    },
    /// Print the permission key of a set of permission names.
    Perm {
        /// The secret, hex.
        #[arg(long)]
        secret_hex: String,
        /// The permission names (order and duplicates do not matter).
        perms: Vec<String>,
    },
}

/// The cache scopes a key can be derived for.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Scope {
    Public,
    Permission,
    User,
}

impl From<Scope> for KeyScope {
    fn from(scope: Scope) -> Self {
        match scope {
            Scope::Public => Self::Public,
            Scope::Permission => Self::Permission,
            Scope::User => Self::User,
        }
    }
}

pub(crate) fn run(command: Command) -> Result<ExitCode, CliError> {
    match command {
        Command::Derive {
            secret_hex,
            function,
            input,
            scope,
            who,
            rev,
        } => {
            let secret = decode_hex("--secret-hex", &secret_hex)?;
            // Strict parsing: duplicate members would otherwise be silently dropped.
            let input: serde_json::Value = serde_json::from_str(&mizan_core::canonicalize_str(&input)?)
                .expect("canonical JSON re-parses");
            println!(
                "{}",
                mizan_core::cache_key(&secret, &function, &input, scope.into(), &who, rev)?
            );
        }
        Command::Perm { secret_hex, perms } => {
            let secret = decode_hex("--secret-hex", &secret_hex)?;
            println!(
                "{}",
                mizan_core::permission_key(&secret, perms.iter().map(String::as_str))
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

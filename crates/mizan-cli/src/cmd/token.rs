//! `mizan token`: look inside MWT tokens, or verify them against keys.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use mizan_core::Keyring;

use super::{CliError, decode_hex};

/// Subcommands of `mizan token`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Decode a token and print its claims WITHOUT verifying the signature.
    Inspect {
        /// The token.
        token: String,
    },
    /// Verify a token; print its claims, or the rejection code and exit 1.
    Verify {
        /// The token.
        token: String,
        /// A verification key as KID=HEX; repeat for several.
        #[arg(long = "key", value_name = "KID=HEX", required = true)]
        keys: Vec<String>,
        /// Verification time in Unix seconds (default: now).
        #[arg(long)]
        now: Option<u64>,
        /// Allowed clock skew in seconds.
        #[arg(long, default_value_t = 0)]
        leeway: u64,
    },
}

pub(crate) fn run(command: Command) -> Result<ExitCode, CliError> {
    match command {
        Command::Inspect { token } => Ok(inspect(&token)),
        Command::Verify {
            token,
            keys,
            now,
            leeway,
        } => {
            let ring = keyring(&keys)?;
            let now = now.unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or_default()
            });
            match ring.verify(&token, now, leeway) {
                Ok(claims) => {
                    let object = claims.to_object().map(serde_json::Value::Object);
                    let pretty = object.map(|o| serde_json::to_string_pretty(&o).unwrap_or_default());
                    println!("valid (kid {}, verified at {now})", claims.kid);
                    println!("{}", pretty.unwrap_or_default());
                    Ok(ExitCode::SUCCESS)
                }
                Err(err) => {
                    println!("rejected: {}", err.code());
                    eprintln!("{err}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

fn inspect(token: &str) -> ExitCode {
    let parts: Vec<&str> = token.split('.').collect();
    println!("UNVERIFIED: the signature has not been checked; do not trust these claims.");
    println!("length:    {} bytes", token.len());
    println!("version:   {}", parts.first().copied().unwrap_or_default());
    match mizan_core::decode_mwt_unverified(token) {
        Ok(claims) => {
            let kid = claims.get("kid").and_then(|k| k.as_str()).unwrap_or("(missing)");
            println!("kid:       {kid}");
            println!("signature: {}", parts.get(2).copied().unwrap_or_default());
            println!("claims:");
            println!("{}", serde_json::to_string_pretty(&claims).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(err) => {
            println!("undecodable: {} ({err})", err.code());
            ExitCode::FAILURE
        }
    }
}

fn keyring(specs: &[String]) -> Result<Keyring, CliError> {
    let mut ring: Option<Keyring> = None;
    for spec in specs {
        let (kid, secret_hex) = spec
            .split_once('=')
            .ok_or_else(|| CliError::KeySpec(spec.clone()))?;
        let secret = decode_hex(&format!("key {kid}"), secret_hex)?;
        match &mut ring {
            Some(ring) => ring.insert(kid, &secret)?,
            None => ring = Some(Keyring::new(kid, &secret)?),
        }
    }
    ring.ok_or_else(|| CliError::KeySpec(String::new()))
}

//! `mizan schema`: print an application's schema document.
//!
//! Rust cannot load another program's registry, so the application exports it itself: its
//! `main` calls `mizan::export::export_if_requested(&registry)`, which prints the document
//! and exits when `MIZAN_EXPORT=schema` is set. This command runs the app's binary with
//! `cargo run` and that variable, checks the output is a schema document, and writes it.

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

use super::CliError;

/// Arguments of `mizan schema`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The package whose binary exports the schema (as `cargo run -p`).
    #[arg(short = 'p', long)]
    package: Option<String>,
    /// The binary, when the package has several (as `cargo run --bin`).
    #[arg(long)]
    bin: Option<String>,
    /// Path to the Cargo.toml of the workspace or package.
    #[arg(long)]
    manifest_path: Option<PathBuf>,
    /// Write the schema to this file instead of standard output.
    #[arg(short, long)]
    out: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> Result<ExitCode, CliError> {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.args(["run", "--quiet"]);
    if let Some(package) = &args.package {
        cargo.args(["--package", package]);
    }
    if let Some(bin) = &args.bin {
        cargo.args(["--bin", bin]);
    }
    if let Some(path) = &args.manifest_path {
        cargo.arg("--manifest-path").arg(path);
    }
    let output = cargo
        .env("MIZAN_EXPORT", "schema")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|source| CliError::Io {
            path: "cargo".into(),
            source,
        })?;
    if !output.status.success() {
        return Err(CliError::Export(format!(
            "`cargo run` exited with {}; is the registry valid (see above)?",
            output.status
        )));
    }
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|err| {
        CliError::Export(format!(
            "the app printed something that is not JSON ({err}); does its main call \
             `mizan::export::export_if_requested(&registry)` before printing anything else?"
        ))
    })?;
    if !schema.get("version").is_some_and(|v| v.is_u64())
        || !schema.get("functions").is_some_and(|f| f.is_object())
    {
        return Err(CliError::Export(
            "the app printed JSON that is not a Mizan schema document".into(),
        ));
    }
    let mut text = serde_json::to_string_pretty(&schema).expect("a JSON value serializes");
    text.push('\n');
    match &args.out {
        Some(path) => std::fs::write(path, text).map_err(|source| CliError::Io {
            path: path.display().to_string(),
            source,
        })?,
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

//! The `mizan` command line: schema export, test vectors, key derivation and token inspection.

mod cmd;

use std::process::ExitCode;

use clap::Parser;

/// Mizan's command line tool.
#[derive(Debug, Parser)]
#[command(name = "mizan", version, about)]
enum Cli {
    /// Write (or check) the cross-language test vectors in spec/vectors.
    Vectors(cmd::vectors::Args),
    /// Derive cache keys and permission keys.
    #[command(subcommand)]
    Keys(cmd::keys::Command),
    /// Inspect or verify MWT tokens.
    #[command(subcommand)]
    Token(cmd::token::Command),
    /// Print an application's schema document (the app exports it; see `mizan schema --help`).
    Schema(cmd::schema::Args),
}

fn main() -> ExitCode {
    let result = match Cli::parse() {
        Cli::Vectors(args) => cmd::vectors::run(args),
        Cli::Keys(command) => cmd::keys::run(command),
        Cli::Token(command) => cmd::token::run(command),
        Cli::Schema(args) => cmd::schema::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

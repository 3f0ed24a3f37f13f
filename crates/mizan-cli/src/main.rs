//! The `mizan` command line: schema export, TypeScript codegen, new projects, test vectors,
//! key derivation and token inspection.

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
    /// Print an application's schema document.
    ///
    /// The app's `main` must call `mizan::export::export_if_requested(&registry)`; this
    /// runs it with `cargo run` and `MIZAN_EXPORT=schema`.
    Schema(cmd::schema::Args),
    /// Generate the typed TypeScript client (`client.ts`, `react.ts`).
    ///
    /// Runs the frontend's own `mizan-codegen` (from its `node_modules`) on the schema of
    /// the app (`-p`, as `mizan schema`), of a running server (`--url`) or of a file
    /// (`--schema`); `--watch` regenerates on every change.
    Codegen(cmd::codegen::Args),
    /// Write a new project: one function, one page, the codegen wiring.
    ///
    /// The demo's layout cut down: a Rust server using `mizan`, a Vite + React + TanStack
    /// Query page using the generated client, `scripts/dev` (build, then serve) and
    /// `scripts/test` (build, then start the server and call it through the client).
    New(cmd::new::Args),
}

fn main() -> ExitCode {
    let result = match Cli::parse() {
        Cli::Vectors(args) => cmd::vectors::run(args),
        Cli::Keys(command) => cmd::keys::run(command),
        Cli::Token(command) => cmd::token::run(command),
        Cli::Schema(args) => cmd::schema::run(args),
        Cli::Codegen(args) => cmd::codegen::run(args),
        Cli::New(args) => cmd::new::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

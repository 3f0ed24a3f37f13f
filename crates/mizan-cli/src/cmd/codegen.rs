//! `mizan codegen`: generate the typed TypeScript client of an application.
//!
//! The generator is the TypeScript package's `mizan-codegen` (the same version as the
//! runtime the frontend imports), run from the frontend's `node_modules`. This command gets
//! the schema document from the app (as `mizan schema` does), a running server or a file,
//! hands it to that generator, and with `--watch` does it again whenever the schema changes.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, SystemTime};

use super::CliError;
use super::schema::{App, export, is_schema_document};

/// Arguments of `mizan codegen`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    app: App,
    /// Read the schema from a running server (e.g. `http://127.0.0.1:3000/mizan/schema`)
    /// instead of exporting it from the app.
    #[arg(long, conflicts_with_all = ["package", "bin", "manifest_path", "schema"])]
    url: Option<String>,
    /// Read the schema from a file (e.g. one `mizan schema --out` wrote).
    #[arg(long, conflicts_with_all = ["package", "bin", "manifest_path"])]
    schema: Option<PathBuf>,
    /// The frontend project: its `node_modules` has the `mizan` npm package.
    #[arg(long, default_value = ".")]
    frontend: PathBuf,
    /// Where `client.ts` and `react.ts` go, relative to `--frontend`.
    #[arg(short, long, default_value = "src/mizan")]
    out: PathBuf,
    /// The module the generated code imports the runtime from (default `mizan`).
    #[arg(long)]
    runtime: Option<String>,
    /// Keep running and regenerate whenever the schema changes. With `-p`, a change is a
    /// modified `.rs` or `Cargo.toml` file below the current directory.
    #[arg(long)]
    watch: bool,
    /// How often `--watch` looks for a change, in seconds.
    #[arg(long, default_value_t = 1.0, value_parser = positive_seconds)]
    interval: f64,
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds.is_finite() => Ok(seconds),
        _ => Err(format!("{text:?} is not a positive number of seconds")),
    }
}

/// Where the schema comes from.
enum Source {
    App(App),
    Url(String),
    File(PathBuf),
}

impl Source {
    fn read(&self) -> Result<String, CliError> {
        let text = match self {
            Self::App(app) => return export(app),
            Self::Url(url) => fetch(url)?,
            Self::File(path) => std::fs::read_to_string(path).map_err(|source| CliError::Io {
                path: path.display().to_string(),
                source,
            })?,
        };
        let parsed: serde_json::Value = serde_json::from_str(&text)
            .map_err(|err| CliError::Codegen(format!("{} is not JSON: {err}", self.name())))?;
        if !is_schema_document(&parsed) {
            return Err(CliError::Codegen(format!(
                "{} is not a Mizan schema document",
                self.name()
            )));
        }
        Ok(text)
    }

    fn name(&self) -> String {
        match self {
            Self::App(_) => "the app's export".to_owned(),
            Self::Url(url) => url.clone(),
            Self::File(path) => path.display().to_string(),
        }
    }

    /// What must differ for the schema to have changed, cheaply: file times, not the
    /// export (which runs `cargo`). `None` means read the schema and compare it.
    fn stamp(&self) -> Option<Vec<(PathBuf, SystemTime)>> {
        match self {
            Self::App(_) => Some(source_times(Path::new("."))),
            Self::File(path) => Some(source_times(path)),
            Self::Url(_) => None,
        }
    }
}

pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let source = match (&args.url, &args.schema) {
        (Some(url), _) => Source::Url(url.clone()),
        (None, Some(path)) => Source::File(path.clone()),
        (None, None) => Source::App(args.app.clone()),
    };
    let generator = args.frontend.join("node_modules/.bin/mizan-codegen");
    if !generator.exists() {
        return Err(CliError::Codegen(format!(
            "{} has no `mizan` npm package (no {}); install it there first: \
             `npm install <path to mizan>/target/npm/mizan-<version>.tgz`, made by scripts/pack-ts",
            args.frontend.display(),
            generator.display()
        )));
    }
    let mut last = source.read()?;
    generate(&args, &generator, &last)?;
    if !args.watch {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("watching {} for changes (Ctrl-C stops)", source.name());
    let mut stamp = source.stamp();
    loop {
        std::thread::sleep(Duration::from_secs_f64(args.interval));
        if let Some(before) = &stamp {
            let now = source.stamp();
            if now.as_ref() == Some(before) {
                continue;
            }
            stamp = now;
        }
        // A schema that cannot be read now (the app does not compile yet, the server is
        // restarting) is reported and waited out.
        match source.read() {
            Ok(text) if text != last => match generate(&args, &generator, &text) {
                Ok(()) => last = text,
                Err(err) => eprintln!("error: {err}"),
            },
            Ok(_) => {}
            Err(err) => eprintln!("error: {err}"),
        }
    }
}

/// Writes the schema to a temporary file and runs the frontend's `mizan-codegen` on it.
fn generate(args: &Args, generator: &Path, schema: &str) -> Result<(), CliError> {
    let file = std::env::temp_dir().join(format!("mizan-codegen-{}.json", std::process::id()));
    let io = |source| CliError::Io {
        path: file.display().to_string(),
        source,
    };
    std::fs::write(&file, schema).map_err(io)?;
    let mut command = Command::new(generator.canonicalize().map_err(io)?);
    command.arg(&file).arg("--out").arg(&args.out);
    if let Some(runtime) = &args.runtime {
        command.args(["--runtime", runtime]);
    }
    let status = command
        .current_dir(&args.frontend)
        .stdin(Stdio::null())
        .status()
        .map_err(|source| CliError::Io {
            path: generator.display().to_string(),
            source,
        });
    let _ = std::fs::remove_file(&file);
    let status = status?;
    if !status.success() {
        return Err(CliError::Codegen(format!(
            "mizan-codegen exited with {status} (see above)"
        )));
    }
    Ok(())
}

fn fetch(url: &str) -> Result<String, CliError> {
    let failed = |why: String| CliError::Codegen(format!("GET {url}: {why}"));
    let response = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .and_then(|client| client.get(url).send())
        .map_err(|err| failed(err.to_string()))?;
    if !response.status().is_success() {
        return Err(failed(format!("answered {}", response.status())));
    }
    response.text().map_err(|err| failed(err.to_string()))
}

/// Modification times of `root` (a file), or of the `.rs` and `Cargo.toml` files below it
/// (a directory; build output, dependencies and hidden folders skipped), sorted.
fn source_times(root: &Path) -> Vec<(PathBuf, SystemTime)> {
    fn visit(path: &Path, found: &mut Vec<(PathBuf, SystemTime)>) {
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        if meta.is_file() {
            found.push((path.to_owned(), meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)));
            return;
        }
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let wanted = if entry.file_type().is_ok_and(|t| t.is_dir()) {
                !name.starts_with('.') && name != "target" && name != "node_modules"
            } else {
                name.ends_with(".rs") || name == "Cargo.toml"
            };
            if wanted {
                visit(&path, found);
            }
        }
    }
    let mut found = Vec::new();
    visit(root, &mut found);
    found.sort();
    found
}

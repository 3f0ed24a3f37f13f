//! Exporting an application's schema for `mizan schema` and codegen.
//!
//! Rust cannot load an application's registry from outside, so the application exports it
//! itself: call [`export_if_requested`] in `main` once the registry is built. When the
//! `MIZAN_EXPORT` environment variable is set, it prints the requested document to standard
//! output and exits; otherwise it does nothing. `mizan schema -p my-app` sets the variable
//! and runs the app's binary with `cargo run`.
//!
//! ```no_run
//! # let registry = mizan::Registry::new();
//! mizan::export::export_if_requested(&registry);
//! // ... start the server
//! ```

use std::io::Write;

use crate::Registry;

/// The environment variable that asks an application to print a document and exit.
pub const EXPORT_VAR: &str = "MIZAN_EXPORT";

/// What can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Document {
    /// The schema document (`spec/SCHEMA.md`).
    Schema,
}

impl Document {
    /// Parses the value of [`EXPORT_VAR`].
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "schema" => Some(Self::Schema),
            _ => None,
        }
    }
}

/// Renders a document of the registry as pretty JSON, ending in a newline.
pub fn render(registry: &Registry, document: Document) -> String {
    let value = match document {
        Document::Schema => registry.get_schema(),
    };
    let mut text = serde_json::to_string_pretty(&value).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// If `MIZAN_EXPORT` names a document, validates the registry, prints the document and
/// exits (status 0, or 1 with the problems on standard error). Otherwise returns.
#[expect(clippy::exit, reason = "documented: it prints the document, then exits")]
pub fn export_if_requested(registry: &Registry) {
    let Ok(name) = std::env::var(EXPORT_VAR) else {
        return;
    };
    let code = match (Document::from_name(&name), registry.validate_registry()) {
        (None, _) => {
            eprintln!("{EXPORT_VAR}={name:?} is not a document Mizan can export; use `schema`");
            2
        }
        (Some(_), Err(problems)) => {
            eprintln!("{problems}");
            1
        }
        (Some(document), Ok(())) => {
            let mut out = std::io::stdout().lock();
            match out
                .write_all(render(registry, document).as_bytes())
                .and_then(|()| out.flush())
            {
                Ok(()) => 0,
                Err(err) => {
                    eprintln!("could not write the {name}: {err}");
                    1
                }
            }
        }
    };
    std::process::exit(code);
}

//! `mizan new NAME`: writes a starter project, the demo's layout cut down to one function
//! and one page: a Rust server, a Vite + React + TanStack Query page using the generated
//! client, `scripts/dev` (build and run) and `scripts/test` (build and test).
//!
//! The files are templates under `templates/new/`, compiled in; `{{name}}`, `{{mizan_path}}`
//! and `{{mizan_ts}}` are replaced, nothing else.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::CliError;

/// Arguments of `mizan new`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The directory to create; its last component names the package (lowercase letters,
    /// digits, `-` and `_`, starting with a letter).
    path: PathBuf,
    /// The Mizan checkout the server depends on (a Cargo path dependency on its
    /// `crates/mizan`). Default: the checkout this `mizan` was built from.
    #[arg(long, value_name = "PATH")]
    mizan: Option<PathBuf>,
    /// The npm dependency of the page on Mizan's TypeScript runtime. Default: the tarball
    /// `scripts/pack-ts` writes in that checkout, `file:CHECKOUT/target/npm/mizan-VERSION.tgz`.
    #[arg(long, value_name = "SPEC")]
    mizan_ts: Option<String>,
}

/// One file of the starter: where it goes, its template, whether it is a script.
struct Template {
    path: &'static str,
    text: &'static str,
    executable: bool,
}

macro_rules! templates {
    ($($path:literal <- $file:literal $(, $exec:ident)?;)+) => {
        &[$(Template {
            path: $path,
            text: include_str!(concat!("../../templates/new/", $file)),
            executable: templates!(@exec $($exec)?),
        },)+]
    };
    (@exec executable) => { true };
    (@exec) => { false };
}

/// Every file `mizan new` writes.
const TEMPLATES: &[Template] = templates! {
    "Cargo.toml" <- "Cargo.toml.tmpl";
    "README.md" <- "README.md";
    ".gitignore" <- "gitignore";
    "src/main.rs" <- "src/main.rs";
    "scripts/dev" <- "scripts/dev", executable;
    "scripts/test" <- "scripts/test", executable;
    "web/package.json" <- "web/package.json";
    "web/index.html" <- "web/index.html";
    "web/tsconfig.json" <- "web/tsconfig.json";
    "web/vite.config.ts" <- "web/vite.config.ts";
    "web/vitest.config.ts" <- "web/vitest.config.ts";
    "web/src/api.ts" <- "web/src/api.ts";
    "web/src/main.tsx" <- "web/src/main.tsx";
    "web/src/App.tsx" <- "web/src/App.tsx";
    "web/test/hello.test.ts" <- "web/test/hello.test.ts";
};

/// The checkout this binary was built from (`crates/mizan-cli/../..`).
fn own_checkout() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let name = package_name(&args.path)?;
    let checkout = args.mizan.unwrap_or_else(own_checkout);
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| CliError::Io { path, source }
    };
    let checkout = checkout.canonicalize().map_err(io(&checkout))?;
    let facade = checkout.join("crates/mizan");
    if !facade.join("Cargo.toml").is_file() {
        return Err(CliError::New(format!(
            "{} is not a Mizan checkout (no crates/mizan/Cargo.toml); pass --mizan PATH",
            checkout.display()
        )));
    }
    let mizan_ts = args.mizan_ts.unwrap_or_else(|| {
        let tarball = checkout.join(format!("target/npm/mizan-{}.tgz", env!("CARGO_PKG_VERSION")));
        format!("file:{}", tarball.display())
    });
    if args.path.exists() {
        return Err(CliError::New(format!("{} already exists", args.path.display())));
    }
    let values = Values {
        name: &name,
        mizan_path: &facade.display().to_string(),
        mizan_ts: &mizan_ts,
    };
    for template in TEMPLATES {
        let path = args.path.join(template.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, values.render(template.text)).map_err(io(&path))?;
        if template.executable {
            make_executable(&path).map_err(io(&path))?;
        }
    }
    let dir = args.path.display();
    println!("wrote {dir} ({} files); in it:", TEMPLATES.len());
    println!("  scripts/dev    build, then serve on http://127.0.0.1:3000/");
    println!("  scripts/test   build, then test");
    if let Some(tarball) = mizan_ts.strip_prefix("file:").filter(|t| !Path::new(t).exists()) {
        eprintln!("note: {tarball} does not exist yet: run scripts/pack-ts in the Mizan checkout");
    }
    Ok(ExitCode::SUCCESS)
}

/// What the placeholders become.
struct Values<'a> {
    name: &'a str,
    mizan_path: &'a str,
    mizan_ts: &'a str,
}

impl Values<'_> {
    /// The template with its placeholders replaced; the paths go in as quoted strings
    /// (JSON string syntax, which TOML basic strings share).
    fn render(&self, template: &str) -> String {
        let quoted = |text: &str| serde_json::Value::from(text).to_string();
        template
            .replace("{{name}}", self.name)
            .replace("{{mizan_path}}", &quoted(self.mizan_path))
            .replace("{{mizan_ts}}", &quoted(self.mizan_ts))
    }
}

/// The package name `path` gives: its last component, if Cargo and npm both accept it.
fn package_name(path: &Path) -> Result<String, CliError> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if valid {
        Ok(name.to_owned())
    } else {
        Err(CliError::New(format!(
            "{name:?} cannot name a package: use lowercase letters, digits, `-` and `_`, starting with a letter"
        )))
    }
}

#[cfg(unix)]
fn make_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_is_these_files() {
        let paths: Vec<&str> = TEMPLATES.iter().map(|t| t.path).collect();
        assert_eq!(
            paths,
            [
                "Cargo.toml",
                "README.md",
                ".gitignore",
                "src/main.rs",
                "scripts/dev",
                "scripts/test",
                "web/package.json",
                "web/index.html",
                "web/tsconfig.json",
                "web/vite.config.ts",
                "web/vitest.config.ts",
                "web/src/api.ts",
                "web/src/main.tsx",
                "web/src/App.tsx",
                "web/test/hello.test.ts",
            ]
        );
        let scripts: Vec<&str> = TEMPLATES
            .iter()
            .filter(|t| t.executable)
            .map(|t| t.path)
            .collect();
        assert_eq!(scripts, ["scripts/dev", "scripts/test"]);
    }

    #[test]
    fn every_placeholder_is_filled_and_the_manifests_parse() {
        let values = Values {
            name: "my-app",
            mizan_path: "/src/mizan \"quoted\"/crates/mizan",
            mizan_ts: "file:/src/mizan/target/npm/mizan-0.1.0.tgz",
        };
        for template in TEMPLATES {
            let text = values.render(template.text);
            for placeholder in ["{{name}}", "{{mizan_path}}", "{{mizan_ts}}"] {
                assert!(
                    !text.contains(placeholder),
                    "{} keeps {placeholder}",
                    template.path
                );
            }
        }
        let package = values.render(
            TEMPLATES
                .iter()
                .find(|t| t.path == "web/package.json")
                .unwrap()
                .text,
        );
        let package: serde_json::Value = serde_json::from_str(&package).unwrap();
        assert_eq!(package["dependencies"]["mizan"], values.mizan_ts);
        let manifest = values.render(TEMPLATES[0].text);
        assert!(manifest.contains(r#"mizan = { path = "/src/mizan \"quoted\"/crates/mizan" }"#));
        assert!(manifest.contains(r#"name = "my-app""#));
    }

    #[test]
    fn a_package_name_is_checked() {
        assert_eq!(package_name(Path::new("/tmp/x/my_app-2")).unwrap(), "my_app-2");
        for bad in ["My-App", "2app", "", "a b", "app."] {
            assert!(package_name(Path::new(bad)).is_err(), "{bad:?}");
        }
    }
}

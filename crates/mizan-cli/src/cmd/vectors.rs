//! `mizan vectors`: writes spec/vectors/*.json from `mizan_core::vectors::generate`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::CliError;

/// Arguments of `mizan vectors`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Directory to write the files into.
    #[arg(long, default_value = "spec/vectors")]
    out: PathBuf,
    /// Compare the files on disk instead of writing them; exit 1 if any differs.
    #[arg(long, conflicts_with = "print")]
    check: bool,
    /// Print one file (e.g. `mwt.json`) to stdout instead of writing.
    #[arg(long, value_name = "FILE")]
    print: Option<String>,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let files = mizan_core::vectors::generate();
    if let Some(name) = args.print {
        let (_, contents) = files
            .iter()
            .find(|(file, _)| *file == name)
            .ok_or(CliError::UnknownVectorFile(name))?;
        print!("{contents}");
        return Ok(ExitCode::SUCCESS);
    }
    let io = |path: &PathBuf| {
        let path = path.display().to_string();
        move |source| CliError::Io { path, source }
    };
    let mut stale = false;
    if !args.check {
        std::fs::create_dir_all(&args.out).map_err(io(&args.out))?;
    }
    for (name, contents) in &files {
        let path = args.out.join(name);
        if args.check {
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            if on_disk != *contents {
                eprintln!("stale: {}", path.display());
                stale = true;
            }
        } else {
            std::fs::write(&path, contents).map_err(io(&path))?;
            println!("wrote {}", path.display());
        }
    }
    Ok(if stale {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

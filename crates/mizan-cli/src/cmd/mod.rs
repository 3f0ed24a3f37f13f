//! One module per subcommand; each exposes its clap arguments and a `run` function.

pub(crate) mod codegen;
pub(crate) mod keys;
pub(crate) mod new;
pub(crate) mod schema;
pub(crate) mod token;
pub(crate) mod vectors;

/// Why a command could not run (a rejected token is an outcome, not one of these).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    #[error("{what} is not hex: {source}")]
    Hex { what: String, source: hex::FromHexError },
    #[error("--input is not JSON: {0}")]
    Input(#[from] mizan_core::CanonicalError),
    #[error("--key must look like KID=HEX, got {0:?}")]
    KeySpec(String),
    #[error(transparent)]
    Keyring(#[from] mizan_core::KeyringError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("could not export the schema: {0}")]
    Export(String),
    #[error("codegen: {0}")]
    Codegen(String),
    #[error("mizan new: {0}")]
    New(String),
    #[error("unknown vector file {0:?}")]
    UnknownVectorFile(String),
}

pub(crate) fn decode_hex(what: &str, text: &str) -> Result<Vec<u8>, CliError> {
    hex::decode(text).map_err(|source| CliError::Hex {
        what: what.to_owned(),
        source,
    })
}

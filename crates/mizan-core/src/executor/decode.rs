//! Step 2, decode: the input in the form the next steps need.

use super::CallInput;
use crate::error::FunctionError;
use crate::function::{ServerFunction, parse_json_input};

/// A cached function needs its input as a value, for its key; any other keeps the text,
/// which the handler decodes straight into its input type (no intermediate value).
///
/// # Errors
///
/// `invalid_json` when a cached function's input text is not JSON.
pub(super) fn decode(f: &ServerFunction, input: CallInput) -> Result<CallInput, FunctionError> {
    match input {
        CallInput::Json(json) if f.cache().is_cached() => parse_json_input(&json).map(CallInput::Value),
        input => Ok(input),
    }
}

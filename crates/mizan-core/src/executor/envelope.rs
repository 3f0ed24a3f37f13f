//! The response envelope, identical for single calls and for each member of a batch or a
//! composition (`spec/PROTOCOL.md` §2.3):
//!
//! - success: `{"data": OUTPUT}`, plus `"rev": N` for cached queries (the revision the
//!   result was computed at);
//! - failure: `{"error": {"code": CODE, "message": TEXT, "fields": [FIELD_ERROR...]}}`, plus
//!   `"details": VALUE` for typed errors;
//!
//! Batches and compositions wrap these in `results` (`results.rs`).
//!
//! Envelopes are written as bytes around the already-serialized output, never re-parsed.

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::{FieldError, FunctionError};

/// `{"data":RAW}` or `{"data":RAW,"rev":N}`, in a buffer of exactly its length: `Bytes`
/// takes such a vector as it is, where a spare byte of capacity costs it an allocation.
pub fn success_body(data: &RawValue, rev: Option<u64>) -> Bytes {
    let raw = data.get();
    let mut digits = itoa::Buffer::new();
    let rev = rev.map(|rev| digits.format(rev));
    let len = br#"{"data":}"#.len() + raw.len() + rev.map_or(0, |rev| br#","rev":"#.len() + rev.len());
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(br#"{"data":"#);
    out.extend_from_slice(raw.as_bytes());
    if let Some(rev) = rev {
        out.extend_from_slice(br#","rev":"#);
        out.extend_from_slice(rev.as_bytes());
    }
    out.push(b'}');
    out.into()
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    error: ErrorBody<'a>,
}

/// The `error` object of the envelope; channel error frames (§3) carry the same.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
    fields: &'a [FieldError],
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a Value>,
}

impl<'a> From<&'a FunctionError> for ErrorBody<'a> {
    fn from(error: &'a FunctionError) -> Self {
        ErrorBody {
            code: error.code(),
            message: error.message(),
            fields: error.fields(),
            details: error.details(),
        }
    }
}

/// `{"error":{...}}` for a failed call.
pub fn error_body(error: &FunctionError) -> Bytes {
    let envelope = ErrorEnvelope {
        error: ErrorBody::from(error),
    };
    serde_json::to_vec(&envelope)
        .expect("an error envelope always serializes")
        .into()
}

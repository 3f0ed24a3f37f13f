//! The response envelope, identical for single calls and for each member of a batch or a
//! composition (`spec/PROTOCOL.md` §2.3):
//!
//! - success: `{"data": OUTPUT}`, plus `"rev": N` for cached queries (the revision the
//!   result was computed at);
//! - failure: `{"error": {"code": CODE, "message": TEXT, "fields": [FIELD_ERROR...]}}`, plus
//!   `"details": VALUE` for typed errors;
//! - a batch: `{"results": [ENVELOPE, ...]}`, in the order of the calls;
//! - a composition: `{"results": {MEMBER: ENVELOPE, ...}}`.
//!
//! Envelopes are written as bytes around the already-serialized output, never re-parsed.

use bytes::{BufMut, Bytes, BytesMut};
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::{FieldError, FunctionError};

/// `{"data":RAW}` or `{"data":RAW,"rev":N}`.
pub fn success_body(data: &RawValue, rev: Option<u64>) -> Bytes {
    let raw = data.get();
    let mut out = BytesMut::with_capacity(raw.len() + 32);
    out.put_slice(b"{\"data\":");
    out.put_slice(raw.as_bytes());
    if let Some(rev) = rev {
        out.put_slice(b",\"rev\":");
        out.put_slice(itoa::Buffer::new().format(rev).as_bytes());
    }
    out.put_u8(b'}');
    out.freeze()
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

/// `{"results":[ENVELOPE,...]}`: a batch's answer, in the order of its calls.
pub fn batch_results<'a>(envelopes: impl ExactSizeIterator<Item = &'a [u8]> + Clone) -> Bytes {
    let mut out = BytesMut::with_capacity(16 + envelopes.clone().map(|e| e.len() + 1).sum::<usize>());
    out.put_slice(b"{\"results\":[");
    for (i, envelope) in envelopes.enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        out.put_slice(envelope);
    }
    out.put_slice(b"]}");
    out.freeze()
}

/// `{"results":{MEMBER:ENVELOPE,...}}`: a composition's answer, keyed by member.
pub fn compose_results<'a>(members: impl Iterator<Item = (&'a str, &'a [u8])>) -> Bytes {
    let mut out = BytesMut::from(&b"{\"results\":{"[..]);
    for (i, (member, envelope)) in members.enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        out.put_slice(
            serde_json::to_string(member)
                .expect("a string serializes")
                .as_bytes(),
        );
        out.put_u8(b':');
        out.put_slice(envelope);
    }
    out.put_slice(b"}}");
    out.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn results_hold_each_envelope_as_it_was_written() {
        let raw = serde_json::value::to_raw_value(&serde_json::json!({"a": [1, 2]})).unwrap();
        assert_eq!(
            &success_body(&raw, Some(7))[..],
            br#"{"data":{"a":[1,2]},"rev":7}"#
        );
        let failed = error_body(&FunctionError::from_code(ErrorCode::NotFound, "nope"));
        let envelopes: [&[u8]; 2] = [br#"{"data":1}"#, &failed];
        let batch: Value = serde_json::from_slice(&batch_results(envelopes.into_iter())).unwrap();
        assert_eq!(batch["results"][0]["data"], 1);
        assert_eq!(batch["results"][1]["error"]["code"], "not_found");
        let members = ["a\"b", "c"].into_iter().zip(envelopes);
        let compose: Value = serde_json::from_slice(&compose_results(members)).unwrap();
        assert_eq!(compose["results"]["a\"b"]["data"], 1);
        assert_eq!(compose["results"]["c"]["error"]["message"], "nope");
        assert_eq!(&batch_results(std::iter::empty())[..], br#"{"results":[]}"#);
    }
}

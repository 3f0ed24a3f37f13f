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
//! A member has no headers of its own, so its envelope carries what `Mizan-Cache` and
//! `Mizan-Cache-Scope` say of a single call: `"cache": STATUS`, and `"scope": SCOPE` for a
//! cached query's result (what an edge needs to store the member under its own key).
//!
//! Envelopes are written as bytes around the already-serialized output, never re-parsed.

use bytes::{BufMut, Bytes, BytesMut};
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::outcome::Outcome;
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
pub fn batch_results<'a>(outcomes: impl ExactSizeIterator<Item = &'a Outcome> + Clone) -> Bytes {
    let mut out = BytesMut::with_capacity(16 + outcomes.clone().map(member_len).sum::<usize>());
    out.put_slice(b"{\"results\":[");
    for (i, outcome) in outcomes.enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        put_member(&mut out, outcome);
    }
    out.put_slice(b"]}");
    out.freeze()
}

/// `{"results":{MEMBER:ENVELOPE,...}}`: a composition's answer, keyed by member.
pub fn compose_results<'a>(members: impl Iterator<Item = (&'a str, &'a Outcome)>) -> Bytes {
    let mut out = BytesMut::from(&b"{\"results\":{"[..]);
    for (i, (member, outcome)) in members.enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        out.put_slice(
            serde_json::to_string(member)
                .expect("a string serializes")
                .as_bytes(),
        );
        out.put_u8(b':');
        put_member(&mut out, outcome);
    }
    out.put_slice(b"}}");
    out.freeze()
}

/// Room for a member's envelope and the cache fields [`put_member`] adds.
fn member_len(outcome: &Outcome) -> usize {
    outcome.body.len() + 40
}

/// A member's envelope: the call's object with `"cache"` (and `"scope"`) added before its
/// closing brace, so the output is never re-parsed.
fn put_member(out: &mut BytesMut, outcome: &Outcome) {
    let body = &outcome.body[..];
    let open = body.strip_suffix(b"}").expect("an envelope is a JSON object");
    out.put_slice(open);
    out.put_slice(b",\"cache\":\"");
    out.put_slice(outcome.cache.as_str().as_bytes());
    out.put_u8(b'"');
    if let Some(meta) = outcome.cached {
        out.put_slice(b",\"scope\":\"");
        out.put_slice(meta.scope.as_str().as_bytes());
        out.put_u8(b'"');
    }
    out.put_u8(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::executor::{CacheStatus, CachedMeta};
    use crate::function::CacheScope;

    #[test]
    fn results_hold_each_envelope_with_its_cache_status() {
        let raw = serde_json::value::to_raw_value(&serde_json::json!({"a": [1, 2]})).unwrap();
        assert_eq!(
            &success_body(&raw, Some(7))[..],
            br#"{"data":{"a":[1,2]},"rev":7}"#
        );
        let meta = CachedMeta {
            rev: 7,
            scope: CacheScope::Permission,
            ttl_secs: None,
        };
        let cached = Outcome::success(success_body(&raw, Some(7)), CacheStatus::Hit, Some(meta));
        let failed = Outcome::failure(
            &FunctionError::from_code(ErrorCode::NotFound, "nope"),
            CacheStatus::Off,
        );
        let outcomes = [cached, failed];
        let batch = batch_results(outcomes.iter());
        assert_eq!(
            &batch[..],
            br#"{"results":[{"data":{"a":[1,2]},"rev":7,"cache":"hit","scope":"permission"},{"error":{"code":"not_found","message":"nope","fields":[]},"cache":"off"}]}"#
        );
        let members = ["a\"b", "c"].into_iter().zip(&outcomes);
        let compose: Value = serde_json::from_slice(&compose_results(members)).unwrap();
        assert_eq!(compose["results"]["a\"b"]["data"]["a"][1], 2);
        assert_eq!(compose["results"]["a\"b"]["cache"], "hit");
        assert_eq!(compose["results"]["c"]["error"]["message"], "nope");
        assert_eq!(&batch_results(std::iter::empty())[..], br#"{"results":[]}"#);
    }
}

//! The answers of a batch and a composition (`spec/PROTOCOL.md` §2.3):
//!
//! - a batch: `{"results": [ENVELOPE, ...]}`, in the order of the calls;
//! - a composition: `{"results": {MEMBER: ENVELOPE, ...}}`.
//!
//! A member has no headers of its own, so its envelope carries what `Mizan-Cache` and
//! `Mizan-Cache-Scope` say of a single call: `"cache": STATUS`, and `"scope": SCOPE` for a
//! cached query's result (what an edge needs to store the member under its own key). Written
//! as bytes around the members' envelopes, never re-parsed.

use bytes::{BufMut, Bytes, BytesMut};

use super::outcome::Outcome;
use crate::canonical;

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
pub fn compose_results<'a>(members: impl Iterator<Item = (&'a str, &'a Outcome)> + Clone) -> Bytes {
    let room = members
        .clone()
        .map(|(member, outcome)| member.len() + 3 + member_len(outcome));
    let mut out = BytesMut::with_capacity(16 + room.sum::<usize>());
    out.put_slice(b"{\"results\":{");
    for (i, (member, outcome)) in members.enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        canonical::write_string(member, &mut out);
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
    use serde_json::Value;

    use super::*;
    use crate::error::{ErrorCode, FunctionError};
    use crate::executor::success_body;
    use crate::executor::{CacheStatus, CachedMeta};
    use crate::function::CacheScope;

    #[test]
    fn results_hold_each_envelope_with_its_cache_status() {
        let raw = serde_json::value::to_raw_value(&serde_json::json!({"a": [1, 2]})).unwrap();
        assert_eq!(
            &success_body(&raw, Some(7))[..],
            br#"{"data":{"a":[1,2]},"rev":7}"#
        );
        assert_eq!(&success_body(&raw, None)[..], br#"{"data":{"a":[1,2]}}"#);
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

//! The response envelope, identical for single calls and for each member of a batch or a
//! composition (`spec/PROTOCOL.md` §2.3):
//!
//! - success: `{"data": OUTPUT}`, plus `"rev": N` for cached queries (the revision the
//!   result was computed at);
//! - failure: `{"error": {"code": CODE, "message": TEXT, "fields": [FIELD_ERROR...]}}`, plus
//!   `"details": VALUE` for typed errors.

use bytes::{BufMut, Bytes, BytesMut};
use mizan_core::FunctionError;
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use mizan_core::FieldError;

/// A call's outcome in wire form, with what the HTTP layer needs besides the body.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// HTTP status for a single call (members of a batch are always inside a 200).
    pub(crate) status: u16,
    /// The envelope JSON.
    pub(crate) body: Bytes,
    /// How the cache took part.
    pub(crate) cache: CacheStatus,
    /// Revision and policy of a cached query, for `Cache-Control` and `Mizan-Rev`.
    pub(crate) cached: Option<CachedMeta>,
}

/// Cache facts of a successful cached query.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CachedMeta {
    pub(crate) rev: u64,
    pub(crate) scope: mizan_core::CacheScope,
    pub(crate) ttl_secs: Option<u64>,
}

/// How the cache took part in a call (`Mizan-Cache` header and the trace span).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CacheStatus {
    /// Served from the cache.
    Hit,
    /// Computed and stored.
    Miss,
    /// Cacheable, but the cache could not be used (backend error, no identity for `user`).
    Bypass,
    /// Not a cached function.
    Off,
}

impl CacheStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CacheStatus::Hit => "hit",
            CacheStatus::Miss => "miss",
            CacheStatus::Bypass => "bypass",
            CacheStatus::Off => "off",
        }
    }
}

/// `{"data":RAW}` or `{"data":RAW,"rev":N}`, written without re-parsing the output.
pub(crate) fn success_body(data: &RawValue, rev: Option<u64>) -> Bytes {
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
#[derive(Serialize)]
pub(crate) struct ErrorBody<'a> {
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
pub(crate) fn error_body(error: &FunctionError) -> Bytes {
    let envelope = ErrorEnvelope {
        error: ErrorBody::from(error),
    };
    serde_json::to_vec(&envelope)
        .expect("an error envelope always serializes")
        .into()
}

impl Outcome {
    pub(crate) fn failure(error: &FunctionError, cache: CacheStatus) -> Self {
        Self {
            status: error.status(),
            body: error_body(error),
            cache,
            cached: None,
        }
    }
}

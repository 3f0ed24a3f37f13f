//! What a call comes to: the envelope in wire form and what the cache did, which an
//! adapter turns into a response (status, `Mizan-Cache`, `Cache-Control`, ...).

use bytes::Bytes;
use http::HeaderMap;

use super::envelope::error_body;
use crate::error::FunctionError;
use crate::function::CacheScope;

/// A call's outcome: the envelope bytes, and what a transport needs besides them.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Outcome {
    /// The status a single call answers with (members of a batch are always inside a 200).
    pub status: u16,
    /// The envelope JSON (`spec/PROTOCOL.md` §2.3).
    pub body: Bytes,
    /// How the cache took part.
    pub cache: CacheStatus,
    /// Revision and policy of a cached query's result, for `Cache-Control` and `Mizan-Rev`.
    pub cached: Option<CachedMeta>,
    /// Headers and cookies the handler added ([`ResponseParts`](crate::ResponseParts));
    /// never part of a cached result.
    pub headers: HeaderMap,
}

impl Outcome {
    /// The same outcome carrying the response parts `headers`.
    pub(super) fn with_headers(mut self, headers: HeaderMap) -> Self {
        self.headers = headers;
        self
    }

    /// A successful call's outcome.
    pub(super) fn success(body: Bytes, cache: CacheStatus, cached: Option<CachedMeta>) -> Self {
        Self {
            status: 200,
            body,
            cache,
            cached,
            headers: HeaderMap::new(),
        }
    }

    /// A failed call's outcome: the error envelope with the error's status.
    pub fn failure(error: &FunctionError, cache: CacheStatus) -> Self {
        Self {
            status: error.status(),
            body: error_body(error),
            cache,
            cached: None,
            headers: HeaderMap::new(),
        }
    }
}

/// Cache facts of a successful cached query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CachedMeta {
    /// The revision the result was computed at.
    pub rev: u64,
    /// Who may share it.
    pub scope: CacheScope,
    /// Its time to live, if the function sets one.
    pub ttl_secs: Option<u64>,
}

/// How the cache took part in a call (`Mizan-Cache` header and the trace span).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheStatus {
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
    /// The wire name (`hit`, `miss`, `bypass`, `off`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
            Self::Bypass => "bypass",
            Self::Off => "off",
        }
    }
}

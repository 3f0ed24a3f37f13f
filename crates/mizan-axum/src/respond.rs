//! Turning outcomes into HTTP responses: status, envelope, the cache headers
//! (`spec/PROTOCOL.md` §2.5) and the headers handlers added (§2.6).

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use mizan_core::CacheScope;
use mizan_core::executor::{CacheStatus, CachedMeta, Outcome};

/// `Mizan-Cache: hit | miss | bypass | off`.
static MIZAN_CACHE: HeaderName = HeaderName::from_static("mizan-cache");
/// `Mizan-Rev: N`, the revision a cached query's result belongs to.
static MIZAN_REV: HeaderName = HeaderName::from_static("mizan-rev");
/// `Mizan-Cache-Scope` and `Mizan-Cache-Ttl`: what an edge needs to store the result.
static MIZAN_CACHE_SCOPE: HeaderName = HeaderName::from_static("mizan-cache-scope");
static MIZAN_CACHE_TTL: HeaderName = HeaderName::from_static("mizan-cache-ttl");

// Header values are constants, checked once at compile time rather than on every response.
const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");
const PUBLIC_NO_CACHE: HeaderValue = HeaderValue::from_static("public, no-cache");
const PRIVATE_NO_STORE: HeaderValue = HeaderValue::from_static("private, no-store");
const JSON: HeaderValue = HeaderValue::from_static("application/json");
const VARY_CREDENTIALS: HeaderValue = HeaderValue::from_static("authorization, cookie");

/// The `Mizan-Cache` value of a cache status.
const fn cache_status(status: CacheStatus) -> HeaderValue {
    const HIT: HeaderValue = HeaderValue::from_static(CacheStatus::Hit.as_str());
    const MISS: HeaderValue = HeaderValue::from_static(CacheStatus::Miss.as_str());
    const BYPASS: HeaderValue = HeaderValue::from_static(CacheStatus::Bypass.as_str());
    const OFF: HeaderValue = HeaderValue::from_static(CacheStatus::Off.as_str());
    match status {
        CacheStatus::Hit => HIT,
        CacheStatus::Miss => MISS,
        CacheStatus::Bypass => BYPASS,
        CacheStatus::Off => OFF,
    }
}

/// The `Mizan-Cache-Scope` value of a cache scope.
const fn cache_scope(scope: CacheScope) -> HeaderValue {
    const NONE: HeaderValue = HeaderValue::from_static(CacheScope::None.as_str());
    const PUBLIC: HeaderValue = HeaderValue::from_static(CacheScope::Public.as_str());
    const PERMISSION: HeaderValue = HeaderValue::from_static(CacheScope::Permission.as_str());
    const USER: HeaderValue = HeaderValue::from_static(CacheScope::User.as_str());
    match scope {
        CacheScope::None => NONE,
        CacheScope::Public => PUBLIC,
        CacheScope::Permission => PERMISSION,
        CacheScope::User => USER,
    }
}

/// A JSON response with `no-store`.
pub(crate) fn json_response(status: u16, body: Bytes) -> Response {
    let mut response = bare_response(status, body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, JSON);
    headers.insert(header::CACHE_CONTROL, NO_STORE);
    response
}

/// A response of `status` with `body`, and no headers yet.
fn bare_response(status: u16, body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
}

/// The one response of several calls (a batch, a composition): every member's response
/// parts, in member order.
pub(crate) fn members_response(body: Bytes, outcomes: Vec<Outcome>) -> Response {
    let mut response = json_response(200, body);
    add_parts(&mut response, outcomes.into_iter().map(|o| o.headers));
    response
}

/// Adds a handler's response parts. A header the protocol set (`Content-Type`,
/// `Cache-Control`, `Mizan-*`) keeps the protocol's value.
fn add_parts(response: &mut Response, parts: impl IntoIterator<Item = HeaderMap>) {
    // Most calls add nothing: skip listing the protocol's headers then.
    let mut parts = parts.into_iter().filter(|part| !part.is_empty()).peekable();
    if parts.peek().is_none() {
        return;
    }
    let headers = response.headers_mut();
    let protocol: Vec<HeaderName> = headers.keys().cloned().collect();
    for part in parts {
        let mut name = None;
        for (next, value) in part {
            name = next.or(name);
            if let Some(name) = name.as_ref().filter(|name| !protocol.contains(name)) {
                headers.append(name.clone(), value);
            }
        }
    }
}

/// A single call's response. `requested_rev` is the `rev` parameter of a GET.
pub(crate) fn call_response(
    mut outcome: Outcome,
    requested_rev: Option<u64>,
    shared_max_age: u64,
) -> Response {
    let parts = std::mem::take(&mut outcome.headers);
    let mut response = call_envelope(outcome, requested_rev, shared_max_age);
    add_parts(&mut response, [parts]);
    response
}

fn call_envelope(outcome: Outcome, requested_rev: Option<u64>, shared_max_age: u64) -> Response {
    let Some(meta) = outcome.cached else {
        // Four headers with axum's `Content-Length`: inserted, they fit the map's first
        // allocation, and cost less than a template's copy would.
        let mut response = json_response(outcome.status, outcome.body);
        response
            .headers_mut()
            .insert(&MIZAN_CACHE, cache_status(outcome.cache));
        return response;
    };
    let mut headers = cached_headers(outcome.cache, meta.scope, meta.ttl_secs.is_some());
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(outcome.body.len()));
    headers.insert(
        header::CACHE_CONTROL,
        cache_control(&meta, requested_rev, shared_max_age),
    );
    headers.insert(&MIZAN_REV, HeaderValue::from(meta.rev));
    if let Some(ttl) = meta.ttl_secs {
        headers.insert(&MIZAN_CACHE_TTL, HeaderValue::from(ttl));
    }
    let mut response = bare_response(outcome.status, outcome.body);
    *response.headers_mut() = headers;
    response
}

/// The headers of a cached query's answer, cloned from a template made once per kind of
/// answer (cache status, scope, whether it has a TTL). Inserted one by one, its eight
/// headers were hashed and probed each, and grew the map past the allocator's small-size
/// limit; the copy of a template costs a third of that (callgrind). What differs between
/// answers of one kind (`Content-Length`, `Cache-Control`, `Mizan-Rev`, `Mizan-Cache-Ttl`)
/// is a placeholder there, which [`call_envelope`] replaces in place. Having
/// `Content-Length` already, the map is left alone by axum.
fn cached_headers(cache: CacheStatus, scope: CacheScope, ttl: bool) -> HeaderMap {
    const KINDS: usize = 4 * 4 * 2;
    static TEMPLATES: [OnceLock<HeaderMap>; KINDS] = [const { OnceLock::new() }; KINDS];
    let status = match cache {
        CacheStatus::Hit => 0,
        CacheStatus::Miss => 1,
        CacheStatus::Bypass => 2,
        CacheStatus::Off => 3,
    };
    let scope_index = match scope {
        CacheScope::None => 0,
        CacheScope::Public => 1,
        CacheScope::Permission => 2,
        CacheScope::User => 3,
    };
    TEMPLATES[(status * 4 + scope_index) * 2 + usize::from(ttl)]
        .get_or_init(|| template(cache, scope, ttl))
        .clone()
}

/// The headers of one kind of cached answer, in the order they are sent.
fn template(cache: CacheStatus, scope: CacheScope, ttl: bool) -> HeaderMap {
    const PLACEHOLDER: HeaderValue = HeaderValue::from_static("0");
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, JSON);
    headers.insert(header::CACHE_CONTROL, PLACEHOLDER);
    headers.insert(&MIZAN_CACHE, cache_status(cache));
    headers.insert(&MIZAN_REV, PLACEHOLDER);
    headers.insert(&MIZAN_CACHE_SCOPE, cache_scope(scope));
    if ttl {
        headers.insert(&MIZAN_CACHE_TTL, PLACEHOLDER);
    }
    headers.insert(header::VARY, VARY_CREDENTIALS);
    headers.insert(header::CONTENT_LENGTH, PLACEHOLDER);
    headers
}

/// `Cache-Control` of a cached query's result: shared caches may keep a public result only
/// when the request named its current revision, because then the URL changes with every
/// purge.
fn cache_control(meta: &CachedMeta, requested_rev: Option<u64>, shared_max_age: u64) -> HeaderValue {
    match meta.scope {
        CacheScope::Public if requested_rev == Some(meta.rev) => {
            let max_age = meta.ttl_secs.unwrap_or(shared_max_age);
            HeaderValue::from_str(&format!("public, max-age={max_age}")).expect("ascii header")
        }
        CacheScope::Public => PUBLIC_NO_CACHE,
        // Per-user and per-permission results are keyed by the edge module itself; no
        // shared or browser cache may keep them by URL.
        _ => PRIVATE_NO_STORE,
    }
}

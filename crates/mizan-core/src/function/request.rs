//! The transport's side of a call: the request it came in ([`RequestParts`]) and what a
//! handler adds to the response ([`ResponseParts`]). Built on the `http` crate's types, so
//! the core stays free of any HTTP framework.

use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use cookie::Cookie;
use http::header::{COOKIE, HOST, SET_COOKIE};
use http::{Extensions, HeaderMap, HeaderName, HeaderValue, Method, Uri};

/// The parts of the request a call came in.
///
/// Over HTTP the adapter fills every part. Members of a batch or a composition see the
/// parts of that one request; a channel send sees the WebSocket handshake's. A call that
/// comes over no transport (a test, a server-side call) sees [`RequestParts::default`]:
/// `GET /`, no headers, no client address, no extensions.
///
/// ```
/// use mizan_core::RequestParts;
///
/// let parts = RequestParts::default().with_header("cookie", "theme=dark; lang=ar");
/// assert_eq!(parts.cookie("lang"), Some("ar".to_owned()));
/// assert_eq!(parts.header("cookie").map(|v| v.len()), Some(19));
/// ```
#[derive(Debug, Clone, Default)]
pub struct RequestParts {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    extensions: Extensions,
    client_addr: Option<SocketAddr>,
    mount_path: Arc<str>,
}

impl RequestParts {
    /// The parts of no request, one copy shared by every call made outside of one (an
    /// anonymous caller's, a context built without a request): no allocation per call.
    pub(crate) fn none() -> Arc<Self> {
        static NONE: LazyLock<Arc<RequestParts>> = LazyLock::new(Arc::default);
        NONE.clone()
    }

    /// The parts of a request as an adapter saw it. `uri` is the URI the client sent (with
    /// the mount prefix), `mount_path` the prefix Mizan's routes are mounted under (empty
    /// at the root), `extensions` what the server's layers attached to the request.
    pub fn new(method: Method, uri: Uri, headers: HeaderMap, extensions: Extensions) -> Self {
        Self {
            method,
            uri,
            headers,
            extensions,
            client_addr: None,
            mount_path: Arc::default(),
        }
    }

    /// A copy that shares no buffer with the request it was read from, for what outlives
    /// the request: a channel connection keeps its handshake's parts. A parsed header
    /// value or URI is a slice of the server's whole read buffer (8-16 KiB) and keeps all
    /// of it alive. The extensions are cloned as they are: a layer that stores request
    /// bytes there keeps them.
    #[must_use]
    pub fn detached(&self) -> Self {
        let headers = self
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), copied(value)))
            .collect();
        Self {
            method: self.method.clone(),
            uri: self.uri.to_string().parse().unwrap_or_else(|_| self.uri.clone()),
            headers,
            extensions: self.extensions.clone(),
            client_addr: self.client_addr,
            mount_path: self.mount_path.clone(),
        }
    }

    /// Sets the address of the peer the request came from.
    #[must_use]
    pub fn with_client_addr(mut self, addr: Option<SocketAddr>) -> Self {
        self.client_addr = addr;
        self
    }

    /// Sets the prefix Mizan's routes are mounted under (`/mizan`; empty at the root).
    #[must_use]
    pub fn with_mount_path(mut self, path: impl Into<Arc<str>>) -> Self {
        self.mount_path = path.into();
        self
    }

    /// Adds a header (for tests and non-HTTP transports); an invalid name or value is
    /// ignored.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            self.headers.append(name, value);
        }
        self
    }

    /// The request method (`GET` for a WebSocket handshake and outside HTTP).
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URI the client sent.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// Every request header (the `Authorization` header and the token cookie included).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of header `name` as text, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The value of cookie `name` from the `Cookie` headers, if sent.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|c| c.name() == name)
            .map(|c| c.value().to_owned())
    }

    /// What the server's tower layers attached to the request (`request.extensions_mut()`).
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// The peer's address, when the server was started with connect info (axum's
    /// `into_make_service_with_connect_info::<SocketAddr>()`). It is the last hop: behind
    /// a proxy, read the proxy's header instead.
    pub fn client_addr(&self) -> Option<SocketAddr> {
        self.client_addr
    }

    /// The prefix Mizan's routes are mounted under (`/mizan`), empty at the root.
    pub fn mount_path(&self) -> &str {
        &self.mount_path
    }

    /// Whether the request was addressed to a loopback host (`localhost`, `127.0.0.1`,
    /// `[::1]`, by its `Host` header or URI): a development server, likely on plain HTTP.
    pub fn is_loopback(&self) -> bool {
        let host = self
            .header(HOST.as_str())
            .or_else(|| self.uri.authority().map(|a| a.as_str()))
            .unwrap_or_default();
        let name = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => host.rsplit_once(':').map_or(host, |(name, _)| name),
        };
        name.eq_ignore_ascii_case("localhost")
            || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// Headers and cookies a handler adds to the response of its call.
///
/// Shared by every clone of the call's context, so middleware and the handler add to the
/// same set. A response part is never cached: a call whose handler sets one is not stored
/// (its `Mizan-Cache` is `bypass`), and a cache hit never carries another caller's parts.
/// A single call's response carries them; a batch's or a composition's one response
/// carries every member's, in member order. Channel sends have no response: their parts
/// are dropped.
///
/// ```
/// use mizan_core::{Cookie, ResponseParts};
///
/// let response = ResponseParts::default();
/// response.set_cookie(Cookie::build(("theme", "dark")).path("/").build());
/// response.insert_header("x-request-cost", "3");
/// let headers = response.take();
/// assert_eq!(headers["set-cookie"], "theme=dark; Path=/");
/// assert_eq!(headers["x-request-cost"], "3");
/// ```
#[derive(Debug, Clone, Default)]
pub struct ResponseParts {
    headers: Arc<Mutex<HeaderMap>>,
}

impl ResponseParts {
    /// Adds a `Set-Cookie` header. The value is sent as it is (not percent-encoded).
    ///
    /// # Panics
    ///
    /// If the cookie holds a character a header cannot (a control character).
    pub fn set_cookie(&self, cookie: Cookie<'_>) {
        self.append_header(SET_COOKIE.as_str(), &cookie.to_string());
    }

    /// Sets header `name` to `value`, replacing any earlier value.
    ///
    /// # Panics
    ///
    /// If `name` is not a valid header name or `value` not a valid header value: both
    /// are the application's literals.
    pub fn insert_header(&self, name: &str, value: &str) {
        let (name, value) = header(name, value);
        self.lock().insert(name, value);
    }

    /// Adds a value of header `name`, keeping earlier ones.
    ///
    /// # Panics
    ///
    /// As [`insert_header`](Self::insert_header).
    pub fn append_header(&self, name: &str, value: &str) {
        let (name, value) = header(name, value);
        self.lock().append(name, value);
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Takes what was added, leaving the set empty.
    pub fn take(&self) -> HeaderMap {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, HeaderMap> {
        // A panic while holding the lock cannot leave a header map half-written.
        self.headers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn header(name: &str, value: &str) -> (HeaderName, HeaderValue) {
    let name = HeaderName::try_from(name).unwrap_or_else(|_| panic!("`{name}` is not a header name"));
    let value = HeaderValue::try_from(value)
        .unwrap_or_else(|_| panic!("the value of `{name}` is not a header value"));
    (name, value)
}

/// `value` in memory of its own.
fn copied(value: &HeaderValue) -> HeaderValue {
    // The bytes of a `HeaderValue` are always valid for one; sharing is the fallback.
    let mut copy = HeaderValue::from_bytes(value.as_bytes()).unwrap_or_else(|_| value.clone());
    copy.set_sensitive(value.is_sensitive());
    copy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detached_copy_reads_alike_and_points_into_no_request_buffer() {
        let buffer = bytes::Bytes::from(format!(
            "GET /mizan/ws HTTP/1.1\r\nx-client: ada{}",
            " ".repeat(8192)
        ));
        let inside = |ptr: *const u8| buffer.as_ptr_range().contains(&ptr);
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_maybe_shared(buffer.slice(34..37)).unwrap();
        assert!(
            inside(value.as_bytes().as_ptr()),
            "the original is a slice of the buffer"
        );
        headers.insert("x-client", value);
        let uri = Uri::from_maybe_shared(buffer.slice(4..13)).unwrap();
        let parts = RequestParts::new(Method::GET, uri, headers, Extensions::new()).with_mount_path("/mizan");

        let detached = parts.detached();
        assert_eq!(detached.header("x-client"), Some("ada"));
        assert_eq!(detached.uri().path(), "/mizan/ws");
        assert_eq!(detached.mount_path(), "/mizan");
        assert!(!inside(detached.header("x-client").unwrap().as_ptr()));
        assert!(!inside(detached.uri().path().as_ptr()));
    }

    #[test]
    fn loopback_is_read_from_the_host() {
        let host = |h: &str| RequestParts::default().with_header("host", h).is_loopback();
        assert!(host("localhost:3000"));
        assert!(host("127.0.0.1"));
        assert!(host("[::1]:8080"));
        assert!(!host("example.com"));
        assert!(!host("10.0.0.1:80"));
        assert!(!RequestParts::default().is_loopback());
    }

    #[test]
    fn defaults_outside_http() {
        let parts = RequestParts::default();
        assert_eq!(parts.method(), Method::GET);
        assert!(parts.headers().is_empty() && parts.client_addr().is_none());
        assert_eq!(parts.cookie("any"), None);
    }
}

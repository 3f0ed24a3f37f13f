//! The cost of one HTTP call through the router, without sockets: each request is a
//! `oneshot` of the router and the response body is read to the end. The apps are the ones
//! `scripts/bench` serves to wrk: every Mizan endpoint has a hand-written axum twin doing
//! the same work, so the ratio of the two is the adapter's overhead. Measured in CPU time of the
//! benchmark's thread, as `scripts/bench` counts the server's: on a shared machine the time
//! spent descheduled does not count.
#![allow(missing_docs)] // criterion_group! defines an undocumented `pub fn benches`.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bench_server::{mizan_app, posts, raw_app};
use bytes::Bytes;
use cpu_time::ThreadTime;
use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// One request as wrk sends it, with `Authorization: Bearer` when `token` is given.
fn request(method: &str, uri: &str, body: &'static str, token: Option<&str>) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .header("content-length", body.len());
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(Body::from(body)).expect("a valid request")
}

/// Sends `request` through the router and reads the whole body; returns the body and the
/// `Mizan-Cache` header, if any.
async fn call(app: &axum::Router, request: Request<Body>) -> (Bytes, Option<String>) {
    let response = app.clone().oneshot(request).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    let cache = response
        .headers()
        .get("mizan-cache")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.into_body().collect().await.expect("a readable body");
    (body.to_bytes(), cache)
}

const POST_INPUT: &str = "%7B%22id%22%3A42%7D"; // {"id":42}

fn http(c: &mut Criterion<ThreadCpu>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let posts = posts();
    let (raw, mizan) = (raw_app(posts.clone()), mizan_app(&posts, None));
    let post_uri = format!("/mizan/call/post?input={POST_INPUT}");
    let hit_uri = format!("/mizan/call/post_cached?input={POST_INPUT}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs();
    let token = bench_server::token(now);
    let cases: [(&str, &axum::Router, &str, &str, &'static str); 8] = [
        ("raw axum: POST add", &raw, "POST", "/raw/add", r#"{"a":1,"b":2}"#),
        (
            "mizan: POST add",
            &mizan,
            "POST",
            "/mizan/call/add",
            r#"{"a":1,"b":2}"#,
        ),
        ("raw axum: GET post by id", &raw, "GET", "/raw/post?id=42", ""),
        ("mizan: GET post (uncached)", &mizan, "GET", &post_uri, ""),
        ("mizan: GET post, cached hit", &mizan, "GET", &hit_uri, ""),
        (
            "mizan: GET post, cached hit, signed in",
            &mizan,
            "GET",
            &hit_uri,
            "",
        ),
        ("raw axum: GET trivial", &raw, "GET", "/raw/trivial", ""),
        (
            "mizan: GET trivial, cached hit",
            &mizan,
            "GET",
            "/mizan/call/trivial_cached",
            "",
        ),
    ];
    for (name, app, method, uri, body) in cases {
        let token = name.ends_with("signed in").then_some(token.as_str());
        // The first call fills the cache of the cached endpoints; the rest are hits.
        rt.block_on(call(app, request(method, uri, body, token)));
        let (_, cache) = rt.block_on(call(app, request(method, uri, body, token)));
        if name.contains("cached hit") {
            assert_eq!(cache.as_deref(), Some("hit"), "{name}");
        }
        c.bench_function(name, |b| {
            b.iter(|| rt.block_on(call(app, black_box(request(method, uri, body, token)))))
        });
    }
}

/// Criterion's measurement in CPU time of the current thread (where the current-thread
/// runtime runs every future).
struct ThreadCpu;

impl Measurement for ThreadCpu {
    type Intermediate = ThreadTime;
    type Value = Duration;

    fn start(&self) -> ThreadTime {
        ThreadTime::now()
    }

    fn end(&self, start: ThreadTime) -> Duration {
        start.elapsed()
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        &Micros
    }
}

/// Nanoseconds shown as microseconds, the scale of one call.
struct Micros;

impl ValueFormatter for Micros {
    fn scale_values(&self, _typical: f64, values: &mut [f64]) -> &'static str {
        values.iter_mut().for_each(|ns| *ns /= 1e3);
        "µs (CPU)"
    }

    fn scale_throughputs(&self, _typical: f64, _throughput: &Throughput, values: &mut [f64]) -> &'static str {
        values.iter_mut().for_each(|ns| *ns = 1e9 / *ns);
        "calls/CPU-s"
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = http
}
criterion_main!(benches);

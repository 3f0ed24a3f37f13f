//! Every documented error: status, code and a useful message; never a 5xx for bad input.

use reqwest::Method;
use serde_json::json;

use crate::support::{Server, config, token};

#[tokio::test]
async fn unknown_function_is_404() {
    let server = Server::default().await;
    let reply = server.call("nope", json!(null), None).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (404, "not_found"));
    assert!(reply.body["error"]["message"].as_str().unwrap().contains("nope"));
    // Every path under the prefix, the prefix itself and `{prefix}/` included.
    for path in ["/no/such/route", "/call/echo/more", "", "/"] {
        let reply = server.send(server.request(Method::DELETE, path)).await;
        assert_eq!(
            (reply.status.as_u16(), reply.code()),
            (404, "not_found"),
            "{path:?}"
        );
    }
    let reply = server.send(server.request(Method::POST, "/compose/nope")).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (404, "not_found"));
}

#[tokio::test]
async fn get_on_a_mutation_is_405() {
    let server = Server::default().await;
    let reply = server.get("write", &json!(null), None).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (405, "method_not_allowed"));
    let reply = server.send(server.request(Method::DELETE, "/call/echo")).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (405, "method_not_allowed"));
}

#[tokio::test]
async fn malformed_json_is_400() {
    let server = Server::default().await;
    for body in ["{", "{\"a\":}", "nul", "[1,2", "\"unterminated"] {
        let reply = server
            .send(server.request(Method::POST, "/call/echo").body(body))
            .await;
        assert_eq!(
            (reply.status.as_u16(), reply.code()),
            (400, "invalid_json"),
            "{body}"
        );
    }
    let reply = server
        .send(
            server
                .request(Method::GET, "/call/echo")
                .query(&[("input", "{oops")]),
        )
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (400, "invalid_json"));
    let reply = server
        .send(
            server
                .request(Method::GET, "/call/echo")
                .query(&[("rev", "minus one")]),
        )
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (400, "bad_request"));
}

#[tokio::test]
async fn wrong_types_and_missing_fields_are_422_with_field_paths() {
    let server = Server::default().await;
    let cases = [
        (json!({"title": "t", "count": "three"}), "count", "type"),
        (json!({"count": 3}), "title", "required"),
        (
            json!({"title": "t", "count": 3, "tags": ["a", 2]}),
            "tags.1",
            "type",
        ),
        // An integer outside its Rust type breaks the schema's `minimum`: `range`.
        (json!({"title": "t", "count": -1}), "count", "range"),
        (
            json!({"title": "t", "count": 1, "extra": 0}),
            "extra",
            "unknown_field",
        ),
        (json!("a string"), "", "type"),
    ];
    for (input, path, code) in cases {
        let reply = server.call("typed", input.clone(), None).await;
        assert_eq!(
            (reply.status.as_u16(), reply.code()),
            (422, "validation_failed"),
            "{input}"
        );
        let field = &reply.body["error"]["fields"][0];
        assert_eq!(
            (field["path"].as_str().unwrap(), field["code"].as_str().unwrap()),
            (path, code),
            "{input}: {field}"
        );
    }
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let server = Server::default().await;
    let huge = format!("\"{}\"", "x".repeat(2 * 1024 * 1024));
    let reply = server
        .send(server.request(Method::POST, "/call/echo").body(huge.clone()))
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (413, "payload_too_large"));
    // Without a Content-Length (chunked), the limit still holds while reading.
    let stream = futures::stream::iter(
        huge.into_bytes()
            .chunks(64 * 1024)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let reply = server
        .send(
            server
                .request(Method::POST, "/batch")
                .body(reqwest::Body::wrap_stream(stream)),
        )
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (413, "payload_too_large"));
}

#[tokio::test]
async fn deeply_nested_bodies_are_400_too_deep() {
    let server = Server::default().await;
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let reply = server
        .send(server.request(Method::POST, "/call/echo").body(deep.clone()))
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (400, "too_deep"));
    let reply = server.send(server.request(Method::GET, "/call/echo").query(&[("input", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")])).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (400, "too_deep"));
    // 64 levels is still fine.
    let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
    let reply = server
        .send(server.request(Method::POST, "/call/echo").body(ok))
        .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn limits_on_batches_and_urls_are_429() {
    let server = Server::default().await;
    let calls: Vec<_> = (0..51).map(|i| json!({"fn": "echo", "input": i})).collect();
    let reply = server
        .send(
            server
                .request(Method::POST, "/batch")
                .json(&json!({ "calls": calls })),
        )
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (429, "limit_exceeded"));
    let long = json!("y".repeat(9000));
    let reply = server.get("echo", &long, None).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (429, "limit_exceeded"));
}

#[tokio::test]
async fn malformed_batches_and_compositions_are_400() {
    let server = Server::default().await;
    for body in [
        json!({}),
        json!({"calls": "x"}),
        json!({"calls": [{"input": 1}]}),
        json!({"calls": [], "x": 1}),
    ] {
        let reply = server
            .send(server.request(Method::POST, "/batch").json(&body))
            .await;
        assert_eq!(
            (reply.status.as_u16(), reply.code()),
            (400, "bad_request"),
            "{body}"
        );
    }
    let reply = server
        .send(
            server
                .request(Method::POST, "/compose/page")
                .json(&json!({"inputs": {"echo": 1}})),
        )
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (400, "bad_request"));
}

#[tokio::test]
async fn a_panicking_handler_is_500_leaks_nothing_and_the_server_keeps_serving() {
    let server = Server::default().await;
    for _ in 0..3 {
        let reply = server.call("boom", json!(null), None).await;
        assert_eq!((reply.status.as_u16(), reply.code()), (500, "internal"));
        assert!(!reply.body.to_string().contains("hunter2"), "{}", reply.body);
    }
    assert_eq!(server.call("echo", json!(1), None).await.body, json!({"data": 1}));
    assert_eq!(server.mizan.metrics().snapshot().panics, 3);
}

#[tokio::test]
async fn application_errors_keep_their_code_status_and_details() {
    let server = Server::default().await;
    let reply = server.call("teapot", json!(null), None).await;
    assert_eq!(reply.status.as_u16(), 418);
    assert_eq!(
        reply.body,
        json!({"error": {"code": "teapot", "message": "short and stout", "fields": [], "details": {"spout": 1}}})
    );
}

/// Why `strict` refuses an id.
#[derive(Debug, serde::Serialize, schemars::JsonSchema, mizan::TypedError)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum StrictError {
    #[mizan(status = 409)]
    Reserved { id: u32 },
}

impl std::fmt::Display for StrictError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Reserved { id } => write!(f, "the id {id} is reserved"),
        }
    }
}

impl std::error::Error for StrictError {}

struct NeverConfigured;

/// Fails with its typed error (id 0), a `FunctionError` (id 1: state the config lacks) or a
/// library's error (any other id: a failed parse whose text must not leave the server).
#[mizan::function]
async fn strict(ctx: mizan::Ctx, id: u32) -> Result<u32, mizan::Error<StrictError>> {
    match id {
        0 => Err(StrictError::Reserved { id })?,
        1 => {
            ctx.state::<NeverConfigured>()?;
        }
        _ => {
            "secret-token-42".parse::<u32>()?;
        }
    }
    Ok(id)
}

#[tokio::test]
async fn typed_errors_cross_http_beside_function_and_library_errors() {
    let mut registry = mizan_core::Registry::new();
    registry.register(strict());
    let server = Server::start(registry, config()).await;

    let reply = server.call("strict", json!(0), None).await;
    assert_eq!(reply.status.as_u16(), 409);
    assert_eq!(
        reply.body,
        json!({"error": {"code": "reserved", "message": "the id 0 is reserved", "fields": [],
            "details": {"kind": "reserved", "id": 0}}})
    );
    let internal = json!({"error": {"code": "internal", "message": "internal server error", "fields": []}});
    for id in [1, 2] {
        let reply = server.call("strict", json!(id), None).await;
        assert_eq!((reply.status.as_u16(), &reply.body), (500, &internal), "id {id}");
    }
    let schema = server.send(server.request(Method::GET, "/schema")).await.body;
    assert_eq!(schema["functions"]["strict"]["error"]["title"], "StrictError");
}

#[tokio::test]
async fn missing_permission_is_403_and_missing_token_401() {
    let server = Server::default().await;
    let reply = server.call("admin_only", json!(null), None).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (401, "unauthenticated"));
    let reply = server
        .call("admin_only", json!(null), Some(&token("u", &["other"])))
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (403, "forbidden"));
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`admin`")
    );
    let reply = server
        .call("admin_only", json!(null), Some(&token("u", &["admin"])))
        .await;
    assert_eq!(reply.body, json!({"data": "secret"}));
}

#[tokio::test]
async fn malformed_revision_queries_are_400_and_too_many_tags_429() {
    let server = Server::default().await;
    let reply = server.send(server.request(Method::GET, "/revisions")).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (400, "bad_request"));
    let many = (0..300).map(|i| format!("t{i}")).collect::<Vec<_>>().join(",");
    let reply = server
        .send(server.request(Method::GET, "/revisions").query(&[("tags", many)]))
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (429, "limit_exceeded"));
}

/// Every way an input reaches the server: a typed and an untyped function, a cached one
/// (decoded through a value, for its key), by POST body and by `?input=`, in a batch and in
/// a composition.
async fn send_input(server: &Server, way: &str, text: &str) -> crate::support::Reply {
    let post = |path: &str, body: String| {
        server
            .request(Method::POST, path)
            .header("content-type", "application/json")
            .body(body)
    };
    let request = match way {
        "post" => post("/call/typed", text.to_owned()),
        "post untyped" => post("/call/echo", text.to_owned()),
        "post cached" => post("/call/counter", text.to_owned()),
        "get" => server
            .request(Method::GET, "/call/typed")
            .query(&[("input", text)]),
        "batch" => post(
            "/batch",
            format!(r#"{{"calls": [{{"fn": "typed", "input": {text}}}]}}"#),
        ),
        "compose" => post("/compose/page", format!(r#"{{"inputs": {{"counter": {text}}}}}"#)),
        other => unreachable!("{other}"),
    };
    server.send(request).await
}

const WAYS: [&str; 6] = ["post", "post untyped", "post cached", "get", "batch", "compose"];

#[tokio::test]
async fn texts_without_a_canonical_form_are_refused_however_they_arrive() {
    let server = Server::default().await;
    for (text, reason) in [
        (r#"{"title": "a", "title": "b", "count": 1}"#, "duplicate_key"),
        (
            r#"{"title": "a", "count": 1, "tags": [{"x": 1, "\u0078": 2}]}"#,
            "duplicate_key",
        ),
        (r#"{"title": "\ud800", "count": 1}"#, "lone_surrogate"),
    ] {
        for way in WAYS {
            let reply = send_input(&server, way, text).await;
            assert_eq!(
                (reply.status.as_u16(), reply.code()),
                (400, "invalid_json"),
                "{way}: {text}"
            );
            assert_eq!(reply.body["error"]["details"]["reason"], reason, "{way}: {text}");
        }
    }
}

/// The same holds for what a batch or a composition writes around its inputs.
#[tokio::test]
async fn batch_and_composition_bodies_without_a_canonical_form_are_refused() {
    let server = Server::default().await;
    for (path, body, reason) in [
        ("/batch", r#"{"calls": [], "calls": []}"#, "duplicate_key"),
        (
            "/batch",
            r#"{"calls": [{"fn": "typed", "\u0066n": "echo"}]}"#,
            "duplicate_key",
        ),
        (
            "/batch",
            r#"{"calls": [{"fn": "typed\ud800"}]}"#,
            "lone_surrogate",
        ),
        (
            "/compose/page",
            r#"{"inputs": {"counter": 1, "\u0063ounter": 2}}"#,
            "duplicate_key",
        ),
        (
            "/compose/page",
            r#"{"revs": {"counter": 1, "counter": 2}}"#,
            "duplicate_key",
        ),
        (
            "/compose/page",
            r#"{"revs": {"counter": 1e400}}"#,
            "number_out_of_range",
        ),
    ] {
        let request = server
            .request(Method::POST, path)
            .header("content-type", "application/json")
            .body(body);
        let reply = server.send(request).await;
        assert_eq!(
            (reply.status.as_u16(), reply.code()),
            (400, "invalid_json"),
            "{path}: {body}"
        );
        assert_eq!(reply.body["error"]["details"]["reason"], reason, "{path}: {body}");
    }
}

#[tokio::test]
async fn an_object_input_given_as_an_array_is_a_type_error() {
    let server = Server::default().await;
    for way in ["post", "get", "batch"] {
        let reply = send_input(&server, way, r#"["t", 1, []]"#).await;
        let envelope = match way {
            "batch" => &reply.body["results"][0],
            _ => &reply.body,
        };
        assert_eq!(
            envelope["error"]["code"], "validation_failed",
            "{way}: {}",
            reply.body
        );
        assert_eq!(envelope["error"]["fields"][0]["code"], "type", "{way}");
        // And an integral float is an integer, as the schema's `integer` says.
        let reply = send_input(&server, way, r#"{"title": "t", "count": 36.0}"#).await;
        let envelope = match way {
            "batch" => &reply.body["results"][0],
            _ => &reply.body,
        };
        assert_eq!(envelope["data"]["count"], 36, "{way}: {}", reply.body);
    }
}

/// Every answer under the prefix is an envelope (§2.3) with the headers of §2.5, whatever
/// the path, method or query.
#[tokio::test]
async fn every_answer_under_the_prefix_is_an_envelope() {
    let server = Server::default().await;
    let paths = [
        "",
        "/",
        "/call",
        "/call/",
        "/call/echo/",
        "/call/echo/extra",
        "/call/%FF",
        "/call/echo?input=%ZZ",
        "/call/echo?rev=x",
        "/call/echo?other=1",
        "/compose",
        "/compose/",
        "/compose/page/x",
        "/batch/",
        "/schema/",
        "/openapi.json/x",
        "/revisions",
        "/revisions?tags=",
        "/revisions?nope=1",
        "/purge",
        "/ws",
        "//call/echo",
    ];
    let methods = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
    ];
    let mut faults = Vec::new();
    for path in paths {
        for method in &methods {
            let response = server
                .request(method.clone(), path)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let what = format!("{method} {path}: {}", response.status());
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let (content_type, cache_control) = (header("content-type"), header("cache-control"));
            let body = serde_json::from_slice::<serde_json::Value>(&response.bytes().await.unwrap());
            let envelope = body.as_ref().is_ok_and(|body| match body.get("error") {
                Some(error) => error["code"].is_string() && error["fields"].is_array(),
                None => body.is_object(),
            });
            if content_type.as_deref() != Some("application/json") || cache_control.is_none() || !envelope {
                faults.push(format!("{what} ({content_type:?}, {cache_control:?}, {body:?})"));
            }
        }
    }
    assert!(faults.is_empty(), "not envelopes:\n{}", faults.join("\n"));
}

/// A present, invalid token fails every endpoint alike (§2.1), documents included.
#[tokio::test]
async fn an_invalid_token_fails_every_endpoint() {
    let server = Server::default().await;
    let endpoints = [
        (Method::POST, "/call/echo"),
        (Method::GET, "/call/echo"),
        (Method::POST, "/batch"),
        (Method::POST, "/compose/page"),
        (Method::GET, "/schema"),
        (Method::GET, "/openapi.json"),
        (Method::GET, "/revisions?tags=a"),
        (Method::POST, "/purge"),
        (Method::GET, "/ws"),
    ];
    for (method, path) in endpoints {
        for auth in ["Bearer mwt1.garbage", "Basic abc"] {
            let reply = server
                .send(
                    server
                        .request(method.clone(), path)
                        .header("authorization", auth)
                        .json(&json!({"calls": [], "tags": ["a"]})),
                )
                .await;
            assert_eq!(
                (reply.status.as_u16(), reply.code()),
                (401, "unauthenticated"),
                "{method} {path} with {auth}"
            );
        }
    }
}

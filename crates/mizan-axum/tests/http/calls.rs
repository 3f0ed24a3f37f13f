//! Calls, batches, compositions and the documents, on the happy path.

use reqwest::Method;
use serde_json::json;

use crate::support::{Server, token};

#[tokio::test]
async fn post_and_get_call_a_query() {
    let server = Server::default().await;
    let reply = server.call("echo", json!({"a": [1, "two"]}), None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, json!({"data": {"a": [1, "two"]}}));
    assert_eq!(reply.header("mizan-cache"), Some("off"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));

    let reply = server.get("echo", &json!({"b": true}), None).await;
    assert_eq!(reply.body, json!({"data": {"b": true}}));
}

#[tokio::test]
async fn an_empty_body_is_a_null_input() {
    let server = Server::default().await;
    let reply = server.send(server.request(Method::POST, "/call/echo")).await;
    assert_eq!(reply.body, json!({"data": null}));
    let reply = server.send(server.request(Method::GET, "/call/echo")).await;
    assert_eq!(reply.body, json!({"data": null}));
}

#[tokio::test]
async fn a_batch_answers_each_call_in_order() {
    let server = Server::default().await;
    let reply = server
        .send(server.request(Method::POST, "/batch").json(&json!({"calls": [
            {"fn": "echo", "input": 1},
            {"fn": "missing"},
            {"fn": "typed", "input": {"title": 3}},
            {"fn": "admin_only"},
            {"fn": "echo", "input": "last"},
        ]})))
        .await;
    assert_eq!(reply.status, 200);
    let results = reply.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    assert_eq!(results[0], json!({"data": 1, "cache": "off"}));
    assert_eq!(results[1]["error"]["code"], "not_found");
    assert_eq!(results[2]["error"]["code"], "validation_failed");
    assert_eq!(results[3]["error"]["code"], "unauthenticated");
    assert_eq!(results[4], json!({"data": "last", "cache": "off"}));
}

#[tokio::test]
async fn a_composition_runs_each_member_with_its_own_rules() {
    let server = Server::default().await;
    let admin = token("root", &["admin"]);
    let reply = server
        .send(
            server
                .request(Method::POST, "/compose/page")
                .bearer_auth(&admin)
                .json(&json!({"inputs": {"counter": {"page": 1}}})),
        )
        .await;
    assert_eq!(reply.status, 200);
    let results = &reply.body["results"];
    assert_eq!(results["counter"]["data"]["input"], json!({"page": 1}));
    assert_eq!(results["by_perms"]["data"]["perms"], json!(["admin"]));
    assert_eq!(results["admin_only"]["data"], "secret");
    // Member order is the registration order.
    let keys: Vec<_> = results.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["counter", "by_perms", "admin_only"]);

    // Anonymous: the protected member fails alone.
    let reply = server.send(server.request(Method::POST, "/compose/page")).await;
    assert_eq!(
        reply.body["results"]["admin_only"]["error"]["code"],
        "unauthenticated"
    );
    assert_eq!(reply.body["results"]["by_perms"]["data"]["perms"], json!([]));
}

#[tokio::test]
async fn schema_and_openapi_are_served() {
    let server = Server::default().await;
    let schema = server.send(server.request(Method::GET, "/schema")).await;
    assert_eq!(schema.body["version"], 1);
    assert_eq!(schema.body["functions"]["counter"]["cache"]["scope"], "public");
    assert_eq!(schema.body["compositions"]["page"]["members"][0], "counter");

    let openapi = server.send(server.request(Method::GET, "/openapi.json")).await;
    assert_eq!(openapi.body["openapi"], "3.1.0");
    let paths = openapi.body["paths"].as_object().unwrap();
    assert!(paths["/call/typed"]["get"].is_object(), "queries also have GET");
    assert!(
        paths["/call/write"].get("get").is_none(),
        "mutations are POST only"
    );
    assert_eq!(
        paths["/call/admin_only"]["post"]["security"],
        json!([{"mwt": []}, {"cookie": []}])
    );
    // A public function takes a token too, and a cookie-authenticated write the CSRF header.
    assert_eq!(
        paths["/call/write"]["post"]["security"],
        json!([{"mwt": []}, {"cookie": [], "csrf": []}, {}])
    );
    let schemes = &openapi.body["components"]["securitySchemes"];
    assert_eq!(schemes["cookie"]["name"], "mizan_token");
    assert_eq!(schemes["csrf"]["name"], "x-mizan-csrf");
    for (path, method) in [
        ("/batch", "post"),
        ("/compose/page", "post"),
        ("/purge", "post"),
        ("/revisions", "get"),
        ("/schema", "get"),
        ("/openapi.json", "get"),
    ] {
        let operation = &paths[path][method];
        assert!(operation["responses"]["200"].is_object(), "{path}");
        assert!(operation["responses"]["default"].is_object(), "{path}");
    }
    // Every reference resolves inside the document.
    let mut refs = Vec::new();
    collect_refs(&openapi.body, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        let pointer = reference.strip_prefix('#').expect("local reference");
        assert!(openapi.body.pointer(pointer).is_some(), "dangling {reference}");
    }
}

fn collect_refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_router_nests_under_any_prefix_and_tower_layers_apply() {
    use mizan_axum::Mizan;
    let mizan = Mizan::new(crate::support::registry(), crate::support::config()).unwrap();
    let app = axum::Router::new()
        .nest("/api/v2/rpc", mizan.router())
        .layer(axum::middleware::map_response(
            |mut response: axum::response::Response| async move {
                response
                    .headers_mut()
                    .insert("x-layer", "applied".parse().unwrap());
                response
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/api/v2/rpc/call/echo"))
        .json(&json!(5))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-layer"], "applied");
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        json!({"data": 5})
    );
    task.abort();
}

#[tokio::test]
async fn metrics_count_requests_and_calls_apart() {
    let server = Server::default().await;
    let calls: Vec<_> = (0..3).map(|i| json!({"fn": "echo", "input": i})).collect();
    server
        .send(
            server
                .request(Method::POST, "/batch")
                .json(&json!({ "calls": calls })),
        )
        .await;
    server.call("echo", json!(1), None).await;
    // Requests the functions never see count too: a wrong path, a wrong method.
    server.send(server.request(Method::GET, "/no/such/route")).await;
    server.send(server.request(Method::DELETE, "/batch")).await;
    let metrics = server.mizan.metrics().snapshot();
    assert_eq!((metrics.requests, metrics.calls), (4, 4));
    let as_json = serde_json::to_value(metrics).unwrap();
    assert_eq!(
        (as_json["requests"].as_u64(), as_json["calls"].as_u64()),
        (Some(4), Some(4))
    );
}

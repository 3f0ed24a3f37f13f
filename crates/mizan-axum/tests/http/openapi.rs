//! The served OpenAPI document against the server serving it: what schemathesis
//! (`scripts/test-openapi`) found, each pinned here.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};

use mizan_axum::Mizan;
use mizan_core::CacheBackend;

use crate::support::{Server, TestCache, config, registry};

/// `GET {prefix}/openapi.json` of a server mounting the registry with `mount`.
async fn served_under(mount: impl FnOnce(&Mizan) -> axum::Router, path: &str) -> Value {
    let mizan = Mizan::new(registry(), config()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{path}", listener.local_addr().unwrap());
    let app = mount(&mizan);
    let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let document = reqwest::get(url).await.unwrap().json().await.unwrap();
    task.abort();
    document
}

#[tokio::test]
async fn the_document_names_the_path_it_is_mounted_under() {
    let server = Server::default().await;
    let document = server
        .send(server.request(Method::GET, "/openapi.json"))
        .await
        .body;
    assert_eq!(document["servers"], json!([{"url": "/mizan"}]));

    let nested = served_under(
        |m| axum::Router::new().nest("/api/v1", m.router()),
        "/api/v1/openapi.json",
    )
    .await;
    assert_eq!(nested["servers"], json!([{"url": "/api/v1"}]));
    let mounted_in_nested = served_under(
        |m| axum::Router::new().nest("/api", m.mount("/mizan")),
        "/api/mizan/openapi.json",
    )
    .await;
    assert_eq!(mounted_in_nested["servers"], json!([{"url": "/api/mizan"}]));
    let root = served_under(Mizan::router, "/openapi.json").await;
    assert_eq!(root["servers"], json!([{"url": "/"}]));
}

#[tokio::test]
async fn an_input_null_does_not_satisfy_is_required() {
    let server = Server::default().await;
    let document = server
        .send(server.request(Method::GET, "/openapi.json"))
        .await
        .body;
    let paths = &document["paths"];
    // `typed` takes a struct: no input (null) is refused, so the document asks for one.
    assert_eq!(paths["/call/typed"]["post"]["requestBody"]["required"], true);
    assert_eq!(paths["/call/typed"]["get"]["parameters"][0]["required"], true);
    assert_eq!(server.call("typed", Value::Null, None).await.status, 422);
    // `()` and any-JSON inputs take null: the input stays optional.
    for function in ["/call/admin_only", "/call/echo"] {
        assert_eq!(
            paths[function]["post"]["requestBody"]["required"], false,
            "{function}"
        );
        assert_eq!(
            paths[function]["get"]["parameters"][0]["required"], false,
            "{function}"
        );
    }
    assert_eq!(server.call("echo", Value::Null, None).await.status, 200);
}

#[tokio::test]
async fn every_rev_the_document_allows_is_accepted() {
    let server = Server::default().await;
    let document = server
        .send(server.request(Method::GET, "/openapi.json"))
        .await
        .body;
    let rev = &document["paths"]["/call/counter"]["get"]["parameters"][1];
    assert_eq!(rev["name"], "rev");
    assert_eq!(rev["schema"]["maximum"], json!(u64::MAX));
    let reply = server.get("counter", &json!(1), Some(u64::MAX)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // `/revisions` answers only with `tags`, and says so.
    let tags = &document["paths"]["/revisions"]["get"]["parameters"][0];
    assert_eq!((&tags["name"], &tags["required"]), (&json!("tags"), &json!(true)));
    assert_eq!(
        server
            .send(server.request(Method::GET, "/revisions"))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn a_405_names_the_methods_the_function_accepts() {
    let server = Server::default().await;
    let allow = |reply: &crate::support::Reply| reply.header("allow").map(str::to_owned);
    // A mutation is POST only, whatever was tried.
    for method in [Method::GET, Method::OPTIONS, Method::PUT, Method::DELETE] {
        let reply = server.send(server.request(method.clone(), "/call/write")).await;
        assert_eq!(
            (reply.status.as_u16(), reply.code()),
            (405, "method_not_allowed"),
            "{method}"
        );
        assert_eq!(allow(&reply).as_deref(), Some("POST"), "{method}");
    }
    let reply = server
        .send(server.request(Method::OPTIONS, "/call/counter"))
        .await;
    assert_eq!(reply.status, 405);
    assert_eq!(allow(&reply).as_deref(), Some("GET, HEAD, POST"));
    let reply = server.send(server.request(Method::OPTIONS, "/call/nope")).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (404, "not_found"));
}

#[tokio::test]
async fn a_tag_named_twice_is_purged_once() {
    let cache = Arc::new(TestCache::default());
    let server = Server::start(registry(), config().with_cache(cache.clone())).await;
    let reply = server.purge(&["counted", "counted", ""]).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(cache.purges(), 2);
    let counter = |tag| cache.get_counter(tag);
    let (counted, empty) = (counter("counted").await.unwrap(), counter("").await.unwrap());
    assert_eq!(reply.body, json!({"revisions": {"counted": counted, "": empty}}));
}

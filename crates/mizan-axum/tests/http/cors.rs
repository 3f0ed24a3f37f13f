//! A frontend on another origin: tower-http's `CorsLayer` over `mizan.mount(..)`, as the
//! README shows it, answers preflights for the allowed origin only, with credentials.

use axum::http::{HeaderName, HeaderValue, Method, header};
use reqwest::StatusCode;
use serde_json::json;
use tower_http::cors::CorsLayer;

use crate::support::{config, registry};

const FRONTEND: &str = "https://app.example";

/// The layer of the README: one allowed origin, cookies allowed, Mizan's request headers.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin([HeaderValue::from_static(FRONTEND)])
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            HeaderName::from_static("x-mizan-csrf"),
        ])
}

async fn serve() -> (String, tokio::task::JoinHandle<()>) {
    let mizan = mizan_axum::Mizan::new(registry(), config()).unwrap();
    let app = axum::Router::new().merge(mizan.mount("/mizan").layer(cors()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/mizan", listener.local_addr().unwrap());
    let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, task)
}

fn header<'r>(response: &'r reqwest::Response, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn a_preflight_from_the_frontend_allows_a_cookie_mutation() {
    let (base, task) = serve().await;
    let client = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, format!("{base}/call/write"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,x-mizan-csrf")
            .send()
    };
    let allowed = preflight(FRONTEND).await.unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(header(&allowed, "access-control-allow-origin"), Some(FRONTEND));
    assert_eq!(header(&allowed, "access-control-allow-credentials"), Some("true"));
    assert!(
        header(&allowed, "access-control-allow-headers").is_some_and(|h| h.contains("x-mizan-csrf")),
        "{:?}",
        allowed.headers()
    );

    let other = preflight("https://evil.example").await.unwrap();
    assert_eq!(header(&other, "access-control-allow-origin"), None);
    task.abort();
}

#[tokio::test]
async fn answers_and_error_envelopes_are_readable_by_the_frontend() {
    let (base, task) = serve().await;
    let client = reqwest::Client::new();
    for (name, status) in [("echo", StatusCode::OK), ("missing", StatusCode::NOT_FOUND)] {
        let response = client
            .post(format!("{base}/call/{name}"))
            .header("origin", FRONTEND)
            .json(&json!(1))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status);
        assert_eq!(header(&response, "access-control-allow-origin"), Some(FRONTEND));
        assert_eq!(
            header(&response, "access-control-allow-credentials"),
            Some("true")
        );
    }
    task.abort();
}

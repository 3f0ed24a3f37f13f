//! Arbitrary bytes as a call's input, by POST body and by `?input=`, through the whole
//! request decoder of the HTTP adapter: size and depth limits, the strict parse, decoding
//! into a typed input (from text, and through a value for a cached function) and its
//! `#[validate]` rules. The router must answer every input with an envelope and never a 5xx.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use mizan_axum::{Config, Mizan};
use mizan_core::{CachePolicy, Ctx, FunctionError, Keyring, Registry, ServerFunction};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower::ServiceExt;
use validator::Validate;

#[derive(Deserialize, Serialize, schemars::JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
struct Order {
    #[validate(length(min = 1, max = 40))]
    title: String,
    #[validate(range(min = 1, max = 99))]
    qty: u32,
    #[serde(default)]
    #[validate(nested)]
    lines: Vec<Line>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    kind: Kind,
}

#[derive(Deserialize, Serialize, schemars::JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
struct Line {
    #[validate(length(max = 8))]
    sku: String,
    price: i64,
}

#[derive(Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Kind {
    #[default]
    Plain,
    Gift { to: String },
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    // With timers, as a server's runtime has them: the body read is bounded by a timeout.
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    })
}

fn router() -> axum::Router {
    static ROUTER: OnceLock<axum::Router> = OnceLock::new();
    ROUTER
        .get_or_init(|| {
            let echo = |_: Ctx, order: Order| async move { Ok::<_, FunctionError>(order) };
            let mut registry = Registry::new();
            registry
                .register(ServerFunction::query("order").validated_handler(echo))
                .register(
                    ServerFunction::query("order_cached")
                        .cache(CachePolicy::public())
                        .validated_handler(echo),
                )
                .register(
                    ServerFunction::query("any")
                        .handler(|_: Ctx, v: Value| async move { Ok::<_, FunctionError>(v) }),
                );
            let keyring = Keyring::new("k1", b"fuzzing signing key, 32 bytes ok").unwrap();
            let config = Config::new(b"fuzzing cache secret".to_vec(), keyring);
            Mizan::new(registry, config).unwrap().router()
        })
        .clone()
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else { return };
    let function = ["order", "order_cached", "any"][usize::from(selector % 3)];
    let request = if selector & 0x80 == 0 {
        Request::post(format!("/call/{function}"))
            .header("content-type", "application/json")
            .body(Body::from(input.to_vec()))
    } else {
        let Ok(text) = std::str::from_utf8(input) else { return };
        let query = serde_urlencoded::to_string([("input", text)]).unwrap();
        Request::get(format!("/call/{function}?{query}")).body(Body::empty())
    };
    let (status, body) = runtime().block_on(async {
        let response = router().oneshot(request.unwrap()).await.unwrap();
        let status = response.status();
        (status, response.into_body().collect().await.unwrap().to_bytes())
    });
    assert!(status < StatusCode::INTERNAL_SERVER_ERROR, "{status} for {input:?}");
    let envelope: Value = serde_json::from_slice(&body).expect("an envelope is JSON");
    if status == StatusCode::OK {
        assert!(envelope.get("data").is_some(), "{envelope}");
        // What the decoder accepted is a text with a canonical form.
        if let Ok(text) = std::str::from_utf8(input) {
            if !text.trim().is_empty() {
                assert!(mizan_core::canonicalize_str(text).is_ok(), "accepted {text:?}");
            }
        }
    } else {
        let error = &envelope["error"];
        assert!(error["code"].is_string() && error["fields"].is_array(), "{envelope}");
    }
});

//! Load benchmark on loopback: the same work served three ways, measured by the same client.
//!
//! - `raw`: a hand-written axum handler (`Json<Input>` in, `Json<Output>` out) at `/raw/work`;
//! - `call`: a Mizan query without cache (`POST /mizan/call/work`);
//! - `hit`: a Mizan query whose result is cached (`POST /mizan/call/work_cached`);
//!
//! and the same three for a heavier piece of work (`/raw/list`, `list`, `list_cached`).
//!
//! `load serve ADDR` runs the server; `scripts/bench-http` drives each endpoint with `wrk`
//! (a separate process, so client and server do not share an async runtime) and prints the
//! table.

use axum::Json;
use axum::routing::post;
use mizan::axum::{Config, Mizan};
use mizan::mwt::Keyring;
use mizan::prelude::*;

/// The request both sides decode.
#[derive(Debug, Deserialize, JsonSchema)]
struct Input {
    id: u64,
    tags: Vec<String>,
}

/// The response both sides encode.
#[derive(Debug, Serialize, JsonSchema)]
struct Output {
    id: u64,
    title: String,
    tag_count: usize,
    score: f64,
}

/// The work itself: identical for every variant.
fn work(input: &Input) -> Output {
    Output {
        id: input.id,
        title: format!("post {}", input.id),
        tag_count: input.tags.len(),
        score: input.tags.iter().map(|t| t.len() as f64).sum::<f64>() / 3.0,
    }
}

/// A heavier piece of work: a page of 100 posts (about 8 KB of JSON), as a list
/// endpoint of a real app would build.
fn list(input: &Input) -> Vec<Output> {
    (0..100)
        .map(|i| Output {
            id: input.id + i,
            title: format!("post {} about {}", input.id + i, input.tags.join(", ")),
            tag_count: input.tags.len(),
            score: (i as f64).sqrt() * input.tags.len() as f64,
        })
        .collect()
}

async fn raw(Json(input): Json<Input>) -> Json<Output> {
    Json(work(&input))
}

async fn raw_list(Json(input): Json<Input>) -> Json<Vec<Output>> {
    Json(list(&input))
}

#[mizan::function]
async fn work_fn(input: Input) -> Result<Output, FunctionError> {
    Ok(work(&input))
}

fn app() -> axum::Router {
    let mut registry = Registry::new();
    registry.register_as("work", work_fn());
    registry.register(
        ServerFunction::query("work_cached")
            .cache(CachePolicy::public())
            .handler(|_: Ctx, input: Input| async move { Ok::<_, FunctionError>(work(&input)) }),
    );
    registry.register(
        ServerFunction::query("list")
            .handler(|_: Ctx, input: Input| async move { Ok::<_, FunctionError>(list(&input)) }),
    );
    registry.register(
        ServerFunction::query("list_cached")
            .cache(CachePolicy::public())
            .handler(|_: Ctx, input: Input| async move { Ok::<_, FunctionError>(list(&input)) }),
    );
    let config = Config::new(
        b"bench cache secret".to_vec(),
        Keyring::new("k", b"bench key").unwrap(),
    );
    let mizan = Mizan::new(registry, config).expect("valid registry");
    // The raw handler sits one nesting level deep, like Mizan's routes, so routing costs
    // the same on both sides.
    axum::Router::new()
        .nest(
            "/raw",
            axum::Router::new()
                .route("/work", post(raw))
                .route("/list", post(raw_list)),
        )
        .merge(mizan.mount("/mizan"))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("serve") => {
            let addr = args.get(2).map(String::as_str).unwrap_or("127.0.0.1:3900");
            let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
            axum::serve(listener, app()).await.unwrap();
        }
        _ => eprintln!("usage: load serve [ADDR]   (scripts/bench-http drives it with wrk)"),
    }
}

//! Load benchmark server: the same work served by hand-written axum handlers or by Mizan
//! functions, one kind per process so each one's CPU time and memory can be read apart.
//!
//! ```text
//! bench-server raw ADDR                 # /raw/add, /raw/post?id=N, /raw/trivial
//! bench-server mizan ADDR               # Mizan at /mizan, in-memory cache
//! bench-server mizan-redis ADDR URL     # the same, cached in Redis at URL
//! ```
//!
//! `scripts/bench` starts them pinned to one core and drives them with `wrk` from the other.
//! The Mizan functions: `add` (and its twins `add2`, `add3`, the members of the composition
//! `three`), `post` (a 1 KB post by id from an in-memory map), `post_cached` (the same,
//! cached with public scope) and `trivial_cached` (a tiny cached output).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use mizan::ErrorCode;
use mizan::axum::{Config, Mizan};
use mizan::mwt::Keyring;
use mizan::prelude::*;

/// The input of `add`.
#[derive(Debug, Deserialize, JsonSchema)]
struct AddInput {
    a: i64,
    b: i64,
}

/// The input of `post`: which post.
#[derive(Debug, Deserialize, JsonSchema)]
struct ById {
    id: u64,
}

/// A blog post of about 1 KB of JSON.
#[derive(Debug, Clone, Serialize, JsonSchema)]
struct Post {
    id: u64,
    title: String,
    author: String,
    body: String,
    tags: Vec<String>,
    published: bool,
    score: f64,
}

/// A tiny output.
#[derive(Debug, Serialize, JsonSchema)]
struct Trivial {
    ok: bool,
}

type Posts = Arc<HashMap<u64, Post>>;

/// 1000 posts, each about 1 KB once serialized.
fn posts() -> Posts {
    let body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(15);
    let posts = (0..1000)
        .map(|id| {
            let post = Post {
                id,
                title: format!("Post number {id}: measuring a framework"),
                author: format!("author-{}", id % 17),
                body: body.clone(),
                tags: vec!["rust".into(), "http".into(), "bench".into()],
                published: id % 2 == 0,
                score: id as f64 / 7.0,
            };
            (id, post)
        })
        .collect();
    Arc::new(posts)
}

fn find(posts: &Posts, id: u64) -> Result<Post, FunctionError> {
    posts
        .get(&id)
        .cloned()
        .ok_or_else(|| FunctionError::from_code(ErrorCode::NotFound, format!("no post {id}")))
}

fn raw_app(posts: Posts) -> axum::Router {
    async fn add(Json(input): Json<AddInput>) -> Json<i64> {
        Json(input.a + input.b)
    }
    async fn post_by_id(
        State(posts): State<Posts>,
        Query(by): Query<ById>,
    ) -> Result<Json<Post>, StatusCode> {
        posts.get(&by.id).cloned().map(Json).ok_or(StatusCode::NOT_FOUND)
    }
    async fn trivial() -> Json<Trivial> {
        Json(Trivial { ok: true })
    }
    // One nesting level deep, like Mizan's routes, so routing costs the same on both sides.
    axum::Router::new().nest(
        "/raw",
        axum::Router::new()
            .route("/add", post(add))
            .route("/post", get(post_by_id))
            .route("/trivial", get(trivial))
            .with_state(posts),
    )
}

fn registry(posts: &Posts) -> Registry {
    let mut registry = Registry::new();
    for name in ["add", "add2", "add3"] {
        registry.register(
            ServerFunction::query(name)
                .handler(|_: Ctx, input: AddInput| async move { Ok::<_, FunctionError>(input.a + input.b) }),
        );
    }
    let uncached = posts.clone();
    registry.register(ServerFunction::query("post").handler(move |_: Ctx, by: ById| {
        let post = find(&uncached, by.id);
        async move { post }
    }));
    let cached = posts.clone();
    registry.register(
        ServerFunction::query("post_cached")
            .cache(CachePolicy::public())
            .handler(move |_: Ctx, by: ById| {
                let post = find(&cached, by.id);
                async move { post }
            }),
    );
    registry.register(
        ServerFunction::query("trivial_cached")
            .cache(CachePolicy::public())
            .handler(|_: Ctx, (): ()| async move { Ok::<_, FunctionError>(Trivial { ok: true }) }),
    );
    registry.register_compose("three", ["add", "add2", "add3"]);
    registry
}

fn mizan_app(posts: &Posts, cache: Option<Arc<mizan::cache::RedisCache>>) -> axum::Router {
    let mut config = Config::new(
        b"bench cache secret".to_vec(),
        Keyring::new("k", b"bench key").expect("a valid key"),
    );
    if let Some(cache) = cache {
        config = config.with_cache(cache);
    }
    let mizan = Mizan::new(registry(posts), config).expect("valid registry");
    mizan.mount("/mizan")
}

async fn serve(addr: &str, app: axum::Router) {
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    let stop = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler");
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
        .expect("serve");
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let posts = posts();
    match (arg(1), arg(2)) {
        (Some("raw"), Some(addr)) => serve(addr, raw_app(posts)).await,
        (Some("mizan"), Some(addr)) => serve(addr, mizan_app(&posts, None)).await,
        (Some("mizan-redis"), Some(addr)) => {
            let url = arg(3).unwrap_or("redis://127.0.0.1:6379/0");
            // A prefix of this process only, deleted on the way out.
            let prefix = format!("mizan-bench:{}:", std::process::id());
            let cache = Arc::new(
                mizan::cache::RedisCache::connect(url, prefix)
                    .await
                    .expect("Redis answers"),
            );
            serve(addr, mizan_app(&posts, Some(cache.clone()))).await;
            cache.clear_prefix().await.expect("the bench keys are deleted");
        }
        _ => eprintln!("usage: bench-server raw|mizan ADDR | mizan-redis ADDR [REDIS_URL]"),
    }
}

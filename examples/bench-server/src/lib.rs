//! The benchmark's two servers of the same work: hand-written axum handlers ([`raw_app`])
//! and Mizan functions ([`mizan_app`]). `src/main.rs` serves one kind per process for
//! wrk (`scripts/bench`); `benches/http.rs` calls both through the router in criterion.
//!
//! The Mizan functions: `add` (and its twins `add2`, `add3`, the members of the composition
//! `three`), `post` (a 1 KB post by id from an in-memory map), `post_cached` (the same,
//! cached with public scope) and `trivial_cached` (a tiny cached output). Raw axum serves
//! `/raw/add`, `/raw/post?id=N` and `/raw/trivial`.

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
pub struct AddInput {
    a: i64,
    b: i64,
}

/// The input of `post`: which post.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ById {
    id: u64,
}

/// A blog post of about 1 KB of JSON.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Post {
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
pub struct Trivial {
    ok: bool,
}

/// The posts both servers serve, by id.
pub type Posts = Arc<HashMap<u64, Post>>;

/// 1000 posts, each about 1 KB once serialized.
pub fn posts() -> Posts {
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

/// The hand-written axum handlers, under `/raw`.
pub fn raw_app(posts: Posts) -> axum::Router {
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

const CACHE_SECRET: &[u8] = b"bench cache secret";

fn keyring() -> Keyring {
    Keyring::new("k", b"bench key").expect("a valid key")
}

/// A token [`mizan_app`] accepts, for the signed-in rows: user `bench` with one
/// permission, valid for a day from `now` (Unix seconds).
pub fn token(now: u64) -> String {
    let perms = ["posts.read"];
    let pk = mizan::keys::permission_key(CACHE_SECRET, perms);
    let claims = mizan::mwt::Claims::new("bench", pk, now, now + 86_400).with_perms(perms);
    keyring().issue(claims).expect("the claims are valid")
}

/// What several instances share through one Redis: the cache and the channel layer.
#[derive(Debug)]
pub struct SharedRedis {
    /// Results and revisions.
    pub cache: Arc<mizan::cache::RedisCache>,
    /// Publications, `mizan_revisions` included.
    pub layer: Arc<mizan::channels::RedisLayer>,
}

/// The same work as Mizan functions, mounted at `/mizan`; with `redis`, set up as
/// `Config::from_env` sets up an instance of several: cache and channels in Redis, and a
/// local copy of the revisions (entries read again after a second).
pub fn mizan_app(posts: &Posts, redis: Option<SharedRedis>) -> axum::Router {
    let mut config = Config::new(CACHE_SECRET.to_vec(), keyring());
    if let Some(SharedRedis { cache, layer }) = redis {
        config = config
            .with_cache(cache)
            .with_channel_layer(layer)
            .with_revision_copy(std::time::Duration::from_secs(1));
    }
    let mizan = Mizan::new(registry(posts), config).expect("valid registry");
    mizan.mount("/mizan")
}

//! The test registry, a server on an ephemeral loopback port, and token helpers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use mizan_axum::{Config, Mizan};
use mizan_core::{
    CacheBackend, CacheError, CachePolicy, Claims, Ctx, FunctionError, Keyring, MemoryCache, Registry,
    ServerFunction, State, permission_key,
};
use reqwest::{Method, StatusCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub(crate) const CACHE_SECRET: &[u8] = b"test cache secret";
pub(crate) const SIGNING_KEY: &[u8] = b"test signing key";

/// How many times each counting handler ran.
#[derive(Default)]
pub(crate) struct Calls(AtomicU64);

impl Calls {
    fn bump(&self) -> u64 {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Typed {
    pub(crate) title: String,
    pub(crate) count: u32,
    #[serde(default)]
    pub(crate) tags: Vec<String>,
}

/// Functions covering every policy the tests exercise.
pub(crate) fn registry() -> Registry {
    let mut r = Registry::new();
    r.register(
        ServerFunction::query("echo")
            .handler(|_: Ctx, input: Value| async move { Ok::<_, FunctionError>(input) }),
    )
    .register(
        ServerFunction::query("typed")
            .handler(|_: Ctx, input: Typed| async move { Ok::<_, FunctionError>(input) }),
    )
    .register(
        ServerFunction::query("counter")
            .cache(CachePolicy::public().tags(["counted"]))
            .handler(|ctx: Ctx, input: Value| async move {
                let n = ctx.state::<Calls>()?.bump();
                Ok::<_, FunctionError>(json!({ "input": input, "computed": n }))
            }),
    )
    .register(
        ServerFunction::query("mine")
            .cache(CachePolicy::user())
            .authenticated()
            .handler(|ctx: Ctx, _: Value| async move {
                Ok::<_, FunctionError>(json!({ "user": ctx.require_identity()?.user_id }))
            }),
    )
    .register(
        ServerFunction::query("by_perms")
            .cache(CachePolicy::permission())
            .handler(|ctx: Ctx, _: Value| async move {
                let perms: Vec<String> = ctx
                    .identity()
                    .map(|i| i.permissions.iter().cloned().collect())
                    .unwrap_or_default();
                Ok::<_, FunctionError>(json!({ "perms": perms }))
            }),
    )
    .register(
        ServerFunction::query("admin_only")
            .permissions(["admin"])
            .handler(|_: Ctx, _: ()| async move { Ok::<_, FunctionError>("secret") }),
    )
    .register(ServerFunction::query("boom").handler(|_: Ctx, _: ()| async move {
        if true {
            panic!("handler exploded with a secret: hunter2");
        }
        Ok::<_, FunctionError>(())
    }))
    .register(
        ServerFunction::query("teapot").handler(|_: Ctx, _: ()| async move {
            Err::<(), _>(
                FunctionError::new("teapot", 418, "short and stout").with_details(json!({"spout": 1})),
            )
        }),
    )
    .register(
        ServerFunction::mutation("write")
            .invalidates(["counted"])
            .handler(|_: Ctx, _: ()| async move { Ok::<_, FunctionError>("written") }),
    )
    .register_compose("page", ["counter", "by_perms", "admin_only"]);
    r
}

pub(crate) fn config() -> Config {
    Config::new(CACHE_SECRET.to_vec(), Keyring::new("k1", SIGNING_KEY).unwrap())
        .with_state(State::new().with(Calls::default()))
}

pub(crate) fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Waits until the clock, in milliseconds since the epoch, has passed `revision`: counters a
/// store forgot come back larger than they were once the clock is past their old values.
pub(crate) async fn until_the_clock_passes(revision: u64) {
    let millis = || SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
    for _ in 0..5000 {
        if millis() > u128::from(revision) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("revision {revision} is more than 5 s ahead of the clock");
}

/// A memory cache the tests can see into: it counts purges, and it can lose its counters
/// while keeping its entries, as a store that forgot them (restarted without data, an
/// `allkeys-*` eviction) next to the caches that kept results computed under the old
/// revisions (an edge, a browser, another store).
#[derive(Default)]
pub(crate) struct TestCache {
    entries: MemoryCache,
    counters: RwLock<Arc<MemoryCache>>,
    purges: AtomicU64,
}

impl TestCache {
    pub(crate) fn forget_counters(&self) {
        *self.counters.write().unwrap_or_else(PoisonError::into_inner) = Arc::default();
    }

    /// How many times a counter was purged.
    pub(crate) fn purges(&self) -> u64 {
        self.purges.load(Ordering::SeqCst)
    }

    fn counters(&self) -> Arc<MemoryCache> {
        Arc::clone(&self.counters.read().unwrap_or_else(PoisonError::into_inner))
    }
}

#[async_trait]
impl CacheBackend for TestCache {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        self.entries.get(key).await
    }

    async fn set(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), CacheError> {
        self.entries.set(key, value, ttl).await
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.entries.delete(key).await
    }

    async fn incr(&self, key: &str) -> Result<u64, CacheError> {
        self.purges.fetch_add(1, Ordering::SeqCst);
        self.counters().incr(key).await
    }

    async fn get_many_counters(&self, keys: &[&str]) -> Result<Vec<u64>, CacheError> {
        self.counters().get_many_counters(keys).await
    }

    async fn start_counters(&self, keys: &[&str]) -> Result<Vec<u64>, CacheError> {
        self.counters().start_counters(keys).await
    }

    fn name(&self) -> &'static str {
        "test"
    }
}

/// A token signed with the test keyring, valid for an hour.
pub(crate) fn token(user: &str, perms: &[&str]) -> String {
    token_with(
        &Keyring::new("k1", SIGNING_KEY).unwrap(),
        user,
        perms,
        now(),
        now() + 3600,
    )
}

pub(crate) fn token_with(ring: &Keyring, user: &str, perms: &[&str], iat: u64, exp: u64) -> String {
    let pk = permission_key(CACHE_SECRET, perms.iter().copied());
    ring.issue(Claims::new(user, pk, iat, exp).with_perms(perms.iter().copied()))
        .unwrap()
}

/// A server on 127.0.0.1 with an ephemeral port, stopped when dropped.
pub(crate) struct Server {
    pub(crate) base: String,
    pub(crate) mizan: Mizan,
    pub(crate) client: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A response, read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The error code of an error envelope.
    pub(crate) fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("<not an error>")
    }
}

impl Server {
    pub(crate) async fn start(registry: Registry, config: Config) -> Self {
        Self::start_with(registry, config, |app| app).await
    }

    /// A server whose app is `wrap`ped (in layers), served with connect info.
    pub(crate) async fn start_with(
        registry: Registry,
        config: Config,
        wrap: impl FnOnce(axum::Router) -> axum::Router,
    ) -> Self {
        let mizan = Mizan::new(registry, config).expect("valid registry");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/mizan", listener.local_addr().unwrap());
        let app = wrap(axum::Router::new().merge(mizan.mount("/mizan")));
        let task = tokio::spawn(async move {
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            base,
            mizan,
            client: reqwest::Client::new(),
            task,
        }
    }

    pub(crate) async fn default() -> Self {
        Self::start(registry(), config()).await
    }

    pub(crate) async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON ({status}): {}", String::from_utf8_lossy(&bytes)));
        Reply {
            status,
            headers,
            body,
        }
    }

    pub(crate) fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    /// POST /call/{name} with a JSON input, optionally as `user` with `perms`.
    pub(crate) async fn call(&self, name: &str, input: Value, auth: Option<&str>) -> Reply {
        let mut request = self.request(Method::POST, &format!("/call/{name}")).json(&input);
        if let Some(token) = auth {
            request = request.bearer_auth(token);
        }
        self.send(request).await
    }

    /// GET /call/{name}?input=..&rev=..
    pub(crate) async fn get(&self, name: &str, input: &Value, rev: Option<u64>) -> Reply {
        let mut query = vec![("input", input.to_string())];
        if let Some(rev) = rev {
            query.push(("rev", rev.to_string()));
        }
        self.send(self.request(Method::GET, &format!("/call/{name}")).query(&query))
            .await
    }

    /// GET /revisions for `tags`: their current revisions, in order.
    pub(crate) async fn revisions(&self, tags: &[&str]) -> Vec<u64> {
        let reply = self
            .send(
                self.request(Method::GET, "/revisions")
                    .query(&[("tags", tags.join(","))]),
            )
            .await;
        tags.iter()
            .map(|tag| reply.body["revisions"][tag].as_u64().expect("a revision per tag"))
            .collect()
    }

    pub(crate) async fn purge(&self, tags: &[&str]) -> Reply {
        let admin = token("admin", &["mizan.purge"]);
        self.send(
            self.request(Method::POST, "/purge")
                .bearer_auth(admin)
                .json(&json!({ "tags": tags })),
        )
        .await
    }
}

//! The revision copy (`Config::with_revision_copy`) across two instances: a cached call
//! reads no revision from Redis while the copy holds it, a purge on one instance reaches
//! the other's copy before its clients hear of it, and while an instance's layer is apart
//! it reads every revision from Redis again.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use mizan_core::channels::RedisLayer;
use mizan_core::{
    CacheBackend, CacheError, CachePolicy, Ctx, FunctionError, MemoryCache, RedisCache, ServerFunction,
};
use serde_json::{Value, json};

use crate::outage::{OwnRedis, free_port, revisions_within};
use crate::redis::{redis_url, unique_prefix};
use crate::support::{Server, config, registry};

/// A cache backend that counts the revision reads it passes on to the real one.
struct Counted {
    inner: Arc<dyn CacheBackend>,
    counter_reads: AtomicU64,
}

impl Counted {
    fn new(inner: Arc<dyn CacheBackend>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            counter_reads: AtomicU64::new(0),
        })
    }

    fn counter_reads(&self) -> u64 {
        self.counter_reads.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl CacheBackend for Counted {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        self.inner.get(key).await
    }
    async fn set(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), CacheError> {
        self.inner.set(key, value, ttl).await
    }
    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.inner.delete(key).await
    }
    async fn incr(&self, key: &str) -> Result<u64, CacheError> {
        self.inner.incr(key).await
    }
    async fn get_many_counters(&self, keys: &[&str]) -> Result<Vec<u64>, CacheError> {
        self.counter_reads.fetch_add(1, Ordering::SeqCst);
        self.inner.get_many_counters(keys).await
    }
    async fn start_counters(&self, keys: &[&str]) -> Result<Vec<u64>, CacheError> {
        self.inner.start_counters(keys).await
    }
    fn name(&self) -> &'static str {
        self.inner.name()
    }
}

/// The channel registry plus `version`, a public query cached under the tag `versions`
/// that reads a number both instances share (their database), and `bump`, a mutation
/// that moves it and invalidates `versions`.
fn copy_registry(shared: &Arc<AtomicU64>) -> mizan_core::Registry {
    let mut registry = registry();
    let (read, write) = (shared.clone(), shared.clone());
    registry
        .register(
            ServerFunction::query("version")
                .cache(CachePolicy::public().tags(["versions"]))
                .handler(move |_: Ctx, (): ()| {
                    let read = read.clone();
                    async move { Ok::<_, FunctionError>(read.load(Ordering::SeqCst)) }
                }),
        )
        .register(
            ServerFunction::mutation("bump")
                .invalidates(["versions"])
                .handler(move |_: Ctx, (): ()| {
                    let write = write.clone();
                    async move { Ok::<_, FunctionError>(write.fetch_add(1, Ordering::SeqCst) + 1) }
                }),
        );
    registry
}

/// What a call of `version` answered, and whether from the cache.
#[derive(Debug, PartialEq)]
struct Answer {
    version: u64,
    cache: String,
}

async fn version(server: &Server) -> Answer {
    let response = reqwest::get(format!("http://{}/mizan/call/version", server.addr))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cache = response.headers()["mizan-cache"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    Answer {
        version: body["data"].as_u64().unwrap(),
        cache,
    }
}

async fn bump(server: &Server) {
    let response = reqwest::Client::new()
        .post(format!("http://{}/mizan/call/bump", server.addr))
        .json(&json!(null))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

fn hit(version: u64) -> Answer {
    Answer {
        version,
        cache: "hit".into(),
    }
}

fn miss(version: u64) -> Answer {
    Answer {
        version,
        cache: "miss".into(),
    }
}

/// An instance with a revision copy on `cache`, publishing on `layer`.
async fn instance(shared: &Arc<AtomicU64>, cache: Arc<dyn CacheBackend>, layer: RedisLayer) -> Server {
    Server::start(
        copy_registry(shared),
        config()
            .with_cache(cache)
            .with_channel_layer(Arc::new(layer))
            .with_revision_copy(Duration::from_secs(60)),
    )
    .await
}

#[tokio::test]
async fn a_purge_on_one_instance_reaches_the_others_copy_before_its_clients() {
    let prefix = unique_prefix("revision_copy");
    let redis = Arc::new(RedisCache::connect(&redis_url(), prefix.clone()).await.unwrap());
    let layer = || async { RedisLayer::connect(&redis_url(), &prefix).await.unwrap() };
    let shared = Arc::new(AtomicU64::new(0));
    let on_b = Counted::new(redis.clone());
    let a = instance(&shared, redis.clone(), layer().await).await;
    let b = instance(&shared, on_b.clone(), layer().await).await;
    let mut client = b.connect().await;
    client.subscribe("mizan_revisions", json!(null)).await;

    assert_eq!(version(&b).await, miss(0));
    let reads = on_b.counter_reads();
    assert_eq!(reads, 1, "the first call reads the revision from Redis");
    for _ in 0..20 {
        assert_eq!(version(&b).await, hit(0));
    }
    assert_eq!(
        on_b.counter_reads(),
        reads,
        "hits read the revision from the copy"
    );

    for round in 1..=5 {
        bump(&a).await;
        revisions_within(&mut client, Duration::from_secs(5))
            .await
            .expect("no revisions announced within 5 s");
        // Told of the purge, the client refetches: B already knows the new revision.
        assert_eq!(version(&b).await, miss(round), "round {round}");
        assert_eq!(version(&b).await, hit(round), "round {round}");
    }
    assert_eq!(
        on_b.counter_reads(),
        reads,
        "B learned every new revision from the announcements"
    );
    // A's own copy saw its purges at once.
    assert_eq!(version(&a).await, hit(5));
    redis.clear_prefix().await.unwrap();
}

#[tokio::test]
async fn while_its_layer_is_apart_an_instance_reads_every_revision_from_redis() {
    // The cache on the shared Redis; the channel layer on a Redis of the test's own, which
    // goes away, so the purge below is made but never announced.
    let prefix = unique_prefix("revision_copy_apart");
    let redis = Arc::new(RedisCache::connect(&redis_url(), prefix.clone()).await.unwrap());
    let channels = OwnRedis::start(free_port());
    let url = channels.url();
    let layer = || async { RedisLayer::connect(&url, "copy:").await.unwrap() };
    let shared = Arc::new(AtomicU64::new(0));
    let on_b = Counted::new(redis.clone());
    let a = instance(&shared, redis.clone(), layer().await).await;
    let b = instance(&shared, on_b.clone(), layer().await).await;

    assert_eq!(version(&b).await, miss(0));
    assert_eq!(version(&b).await, hit(0));
    let reads = on_b.counter_reads();

    let port = channels.kill();
    // B notices the lost pub/sub connection: its calls read revisions from Redis again.
    let noticed = Instant::now();
    while on_b.counter_reads() == reads {
        assert!(
            noticed.elapsed() < Duration::from_secs(5),
            "B kept using its copy with its layer apart"
        );
        assert_eq!(version(&b).await, hit(0));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    bump(&a).await;
    assert_eq!(
        version(&b).await,
        miss(1),
        "an unannounced purge seen through Redis"
    );
    assert_eq!(version(&b).await, hit(1));

    // The layer back: B starts its copy again, and stops reading revisions from Redis.
    let channels = OwnRedis::start(port);
    let back = Instant::now();
    loop {
        let before = on_b.counter_reads();
        assert_eq!(version(&b).await, hit(1));
        if on_b.counter_reads() == before {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "B did not use its copy again after its layer came back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(channels);
    redis.clear_prefix().await.unwrap();
}

#[tokio::test]
async fn an_unheard_purge_is_seen_once_the_copy_is_max_age_old() {
    // Two instances sharing a cache but not a layer: B never hears A's purges, so only the
    // copy's max age brings B to the new revision.
    let cache: Arc<dyn CacheBackend> = Arc::new(MemoryCache::new());
    let shared = Arc::new(AtomicU64::new(0));
    let max_age = Duration::from_millis(200);
    let start = |cache: Arc<dyn CacheBackend>| {
        Server::start(
            copy_registry(&shared),
            config().with_cache(cache).with_revision_copy(max_age),
        )
    };
    let a = start(cache.clone()).await;
    let b = start(cache).await;
    // Before B learns the revision, so B's entry is at most this old.
    let learned = Instant::now();
    assert_eq!(version(&b).await, miss(0));
    bump(&a).await;
    let mut answer = version(&b).await;
    while answer == hit(0) {
        assert!(learned.elapsed() < max_age + Duration::from_secs(1));
        tokio::time::sleep(Duration::from_millis(20)).await;
        answer = version(&b).await;
    }
    assert!(
        learned.elapsed() >= max_age,
        "B read the revision again before its max age"
    );
    assert_eq!(answer, miss(1));
}

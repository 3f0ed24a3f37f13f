//! One behavioural suite, run against every cache backend.
//!
//! A behaviour every backend must have is an `async fn` in [`checks`] listed in
//! `backend_suite!`; each backend module runs the whole list against its own fixture.
//! Behaviour only one backend has (the memory bound, Redis prefixes and failures) is tested
//! in that backend's module.
//!
//! The Redis tests need a Redis server at `MIZAN_TEST_REDIS_URL` (default
//! `redis://127.0.0.1:6379`) and fail without one; the failure tests also start their own
//! `redis-server` processes. Run them with `cargo test -p mizan-core --features redis`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use mizan_core::CacheBackend;

/// A backend under test and what removes its data afterwards.
struct Fixture {
    backend: Arc<dyn CacheBackend>,
    cleanup: Option<Box<dyn FnOnce() -> BoxFuture<'static, ()> + Send>>,
}

/// Runs `check`, then the fixture's cleanup even if the check panicked, then reports the
/// check's panic.
async fn run_check<F, Fut>(fixture: Fixture, check: F)
where
    F: FnOnce(Arc<dyn CacheBackend>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let outcome = tokio::spawn(check(Arc::clone(&fixture.backend))).await;
    if let Some(cleanup) = fixture.cleanup {
        cleanup().await;
    }
    if let Err(err) = outcome {
        std::panic::resume_unwind(err.into_panic());
    }
}

/// Polls `condition` every 20 ms until it holds, for at most `limit`; returns whether it held.
async fn eventually<F, Fut>(limit: Duration, mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if condition().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Generates one test per check for the backend made by `$fixture(test_name, default_ttl)`.
macro_rules! backend_suite {
    ($fixture:path) => {
        backend_suite!(@each $fixture;
            get_set_delete = None,
            overwrite_replaces_value_and_ttl = None,
            binary_and_empty_values_round_trip = None,
            entries_expire_after_their_ttl = None,
            zero_ttl_stores_nothing = None,
            default_ttl_applies_to_entries_not_counters = Some(Duration::from_millis(300)),
            counters_start_at_zero_and_count_up = None,
            incr_is_atomic_under_concurrency = None,
            get_many_counters_reads_missing_as_zero = None,
            entries_and_counters_never_alias = None,
        );
    };
    (@each $fixture:path; $($check:ident = $default_ttl:expr),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let fixture = $fixture(stringify!($check), $default_ttl).await;
                crate::run_check(fixture, crate::checks::$check).await;
            }
        )*
    };
}

mod checks {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use bytes::Bytes;
    use mizan_core::CacheBackend;

    use crate::eventually;

    const SHORT_TTL: Duration = Duration::from_millis(200);
    const EXPIRY_LIMIT: Duration = Duration::from_secs(5);

    pub(crate) async fn get_set_delete(cache: Arc<dyn CacheBackend>) {
        assert_eq!(cache.get("post:1").await.unwrap(), None);
        cache
            .set("post:1", Bytes::from_static(br#"{"id":1}"#), None)
            .await
            .unwrap();
        cache
            .set("post:2", Bytes::from_static(br#"{"id":2}"#), None)
            .await
            .unwrap();
        assert_eq!(
            cache.get("post:1").await.unwrap(),
            Some(Bytes::from_static(br#"{"id":1}"#))
        );

        cache.delete("post:1").await.unwrap();
        assert_eq!(cache.get("post:1").await.unwrap(), None);
        assert_eq!(
            cache.get("post:2").await.unwrap(),
            Some(Bytes::from_static(br#"{"id":2}"#))
        );
        cache
            .delete("post:1")
            .await
            .expect("deleting a missing entry succeeds");
    }

    pub(crate) async fn overwrite_replaces_value_and_ttl(cache: Arc<dyn CacheBackend>) {
        cache
            .set("k", Bytes::from_static(b"first"), Some(SHORT_TTL))
            .await
            .unwrap();
        cache.set("k", Bytes::from_static(b"second"), None).await.unwrap();
        assert_eq!(cache.get("k").await.unwrap(), Some(Bytes::from_static(b"second")));

        // The second set had no ttl, so the first one's must not apply any more.
        tokio::time::sleep(SHORT_TTL * 3).await;
        assert_eq!(cache.get("k").await.unwrap(), Some(Bytes::from_static(b"second")));
    }

    pub(crate) async fn binary_and_empty_values_round_trip(cache: Arc<dyn CacheBackend>) {
        let binary: Bytes = (0..=255_u8)
            .cycle()
            .take(256 * 1024 + 7)
            .collect::<Vec<_>>()
            .into();
        cache.set("binary", binary.clone(), None).await.unwrap();
        assert_eq!(cache.get("binary").await.unwrap(), Some(binary));

        cache.set("empty", Bytes::new(), None).await.unwrap();
        assert_eq!(
            cache.get("empty").await.unwrap(),
            Some(Bytes::new()),
            "an empty value is not a miss"
        );

        let key = "ключ/🔑 with spaces:and:colons";
        cache
            .set(key, Bytes::from_static(b"unicode key"), None)
            .await
            .unwrap();
        assert_eq!(
            cache.get(key).await.unwrap(),
            Some(Bytes::from_static(b"unicode key"))
        );
    }

    pub(crate) async fn entries_expire_after_their_ttl(cache: Arc<dyn CacheBackend>) {
        let started = Instant::now();
        cache
            .set("short", Bytes::from_static(b"s"), Some(SHORT_TTL))
            .await
            .unwrap();
        cache
            .set("long", Bytes::from_static(b"l"), Some(Duration::from_secs(600)))
            .await
            .unwrap();
        let fresh = cache.get("short").await.unwrap();
        if started.elapsed() < SHORT_TTL {
            assert_eq!(
                fresh,
                Some(Bytes::from_static(b"s")),
                "read back before its ttl ran out"
            );
        }

        let expired = eventually(EXPIRY_LIMIT, || async {
            cache.get("short").await.unwrap().is_none()
        })
        .await;
        assert!(
            expired,
            "an entry with a {SHORT_TTL:?} ttl was still there after {EXPIRY_LIMIT:?}"
        );
        assert!(started.elapsed() >= SHORT_TTL, "expired before its ttl");
        assert_eq!(cache.get("long").await.unwrap(), Some(Bytes::from_static(b"l")));
    }

    pub(crate) async fn zero_ttl_stores_nothing(cache: Arc<dyn CacheBackend>) {
        cache.set("k", Bytes::from_static(b"old"), None).await.unwrap();
        cache
            .set("k", Bytes::from_static(b"new"), Some(Duration::ZERO))
            .await
            .unwrap();
        assert_eq!(cache.get("k").await.unwrap(), None);
    }

    /// Runs with a default ttl of 300 ms.
    pub(crate) async fn default_ttl_applies_to_entries_not_counters(cache: Arc<dyn CacheBackend>) {
        assert_eq!(cache.incr("tag").await.unwrap(), 1);
        let started = Instant::now();
        cache
            .set("defaulted", Bytes::from_static(b"d"), None)
            .await
            .unwrap();
        cache
            .set(
                "explicit",
                Bytes::from_static(b"e"),
                Some(Duration::from_secs(600)),
            )
            .await
            .unwrap();

        let expired = eventually(EXPIRY_LIMIT, || async {
            cache.get("defaulted").await.unwrap().is_none()
        })
        .await;
        assert!(expired, "an entry set without a ttl did not get the default ttl");
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "expired before the default ttl"
        );
        assert_eq!(
            cache.get("explicit").await.unwrap(),
            Some(Bytes::from_static(b"e"))
        );
        assert_eq!(
            cache.get_counter("tag").await.unwrap(),
            1,
            "counters never expire"
        );
    }

    pub(crate) async fn counters_start_at_zero_and_count_up(cache: Arc<dyn CacheBackend>) {
        assert_eq!(cache.get_counter("posts").await.unwrap(), 0);
        assert_eq!(cache.incr("posts").await.unwrap(), 1);
        assert_eq!(cache.incr("posts").await.unwrap(), 2);
        assert_eq!(cache.incr("posts").await.unwrap(), 3);
        assert_eq!(cache.get_counter("posts").await.unwrap(), 3);
        assert_eq!(cache.get_counter("users").await.unwrap(), 0);
    }

    pub(crate) async fn incr_is_atomic_under_concurrency(cache: Arc<dyn CacheBackend>) {
        const TASKS: u64 = 50;
        const INCREMENTS: u64 = 20;
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let cache = Arc::clone(&cache);
                tokio::spawn(async move {
                    let mut seen = Vec::new();
                    for _ in 0..INCREMENTS {
                        seen.push(cache.incr("hot").await.unwrap());
                    }
                    seen
                })
            })
            .collect();
        let mut seen = Vec::new();
        for task in tasks {
            seen.extend(task.await.unwrap());
        }
        seen.sort_unstable();
        let expected: Vec<u64> = (1..=TASKS * INCREMENTS).collect();
        assert_eq!(seen, expected, "every increment observes a distinct value");
        assert_eq!(cache.get_counter("hot").await.unwrap(), TASKS * INCREMENTS);
    }

    pub(crate) async fn get_many_counters_reads_missing_as_zero(cache: Arc<dyn CacheBackend>) {
        for _ in 0..2 {
            cache.incr("a").await.unwrap();
        }
        for _ in 0..5 {
            cache.incr("b").await.unwrap();
        }
        let values = cache
            .get_many_counters(&["a", "missing", "b", "a"])
            .await
            .unwrap();
        assert_eq!(values, vec![2, 0, 5, 2]);
        assert_eq!(cache.get_many_counters(&[]).await.unwrap(), Vec::<u64>::new());
        assert_eq!(cache.get_many_counters(&["nothing"]).await.unwrap(), vec![0]);
    }

    pub(crate) async fn entries_and_counters_never_alias(cache: Arc<dyn CacheBackend>) {
        cache.set("posts", Bytes::from_static(b"41"), None).await.unwrap();
        assert_eq!(cache.get_counter("posts").await.unwrap(), 0);
        assert_eq!(cache.incr("posts").await.unwrap(), 1);
        assert_eq!(cache.get("posts").await.unwrap(), Some(Bytes::from_static(b"41")));

        cache.delete("posts").await.unwrap();
        assert_eq!(
            cache.get_counter("posts").await.unwrap(),
            1,
            "deleting an entry leaves the counter"
        );
        assert_eq!(cache.get("posts").await.unwrap(), None);
    }
}

mod memory {
    use std::sync::Arc;
    use std::time::Duration;

    use bytes::Bytes;
    use mizan_core::{CacheBackend, MemoryCache};

    use crate::Fixture;

    async fn memory_fixture(_test: &'static str, default_ttl: Option<Duration>) -> Fixture {
        let mut builder = MemoryCache::builder();
        if let Some(ttl) = default_ttl {
            builder = builder.default_ttl(ttl);
        }
        Fixture {
            backend: Arc::new(builder.build()),
            cleanup: None,
        }
    }

    backend_suite!(memory_fixture);

    const BOUND: u64 = 64 * 1024;
    const VALUE_LEN: usize = 1024;

    fn entry_key(i: usize) -> String {
        format!("entry:{i:05}")
    }

    async fn flood(cache: &MemoryCache, entries: usize) {
        let value = Bytes::from(vec![b'x'; VALUE_LEN]);
        for i in 0..entries {
            cache.set(&entry_key(i), value.clone(), None).await.unwrap();
            if i % 100 == 0 {
                cache.run_pending_tasks().await;
            }
        }
        cache.run_pending_tasks().await;
    }

    #[tokio::test]
    async fn size_bound_evicts_entries() {
        let cache = MemoryCache::builder().max_bytes(BOUND).build();
        let entries = 2000; // about 2 MiB, 32 times the bound
        flood(&cache, entries).await;

        assert!(
            cache.weighted_size() <= BOUND,
            "weighted size {} over {BOUND}",
            cache.weighted_size()
        );
        let mut present_bytes = 0;
        let mut present = 0;
        for i in 0..entries {
            if let Some(value) = cache.get(&entry_key(i)).await.unwrap() {
                present += 1;
                present_bytes += (entry_key(i).len() + value.len()) as u64;
            }
        }
        assert!(present > 0, "the cache kept nothing");
        assert!(present < entries, "nothing was evicted");
        assert!(
            present_bytes <= BOUND,
            "{present_bytes} bytes readable with a bound of {BOUND}"
        );
    }

    #[tokio::test]
    async fn counters_are_never_evicted_by_the_size_bound() {
        let cache = MemoryCache::builder().max_bytes(BOUND).build();
        let tags: Vec<String> = (0..500).map(|i| format!("tag:{i}")).collect();
        for (i, tag) in tags.iter().enumerate() {
            for _ in 0..=i % 3 {
                cache.incr(tag).await.unwrap();
            }
        }
        flood(&cache, 2000).await;

        let keys: Vec<&str> = tags.iter().map(String::as_str).collect();
        let expected: Vec<u64> = (0..tags.len()).map(|i| (i % 3 + 1) as u64).collect();
        assert_eq!(cache.get_many_counters(&keys).await.unwrap(), expected);
    }

    #[test]
    fn defaults() {
        let cache = MemoryCache::new();
        assert_eq!(cache.max_bytes(), 64 * 1024 * 1024);
        assert_eq!(cache.default_ttl(), None);
        assert_eq!(cache.name(), "memory");
        let configured = MemoryCache::builder()
            .max_bytes(10)
            .default_ttl(Duration::from_secs(3))
            .build();
        assert_eq!(
            (configured.max_bytes(), configured.default_ttl()),
            (10, Some(Duration::from_secs(3)))
        );
    }
}

#[cfg(feature = "redis")]
mod redis {
    use std::net::TcpListener;
    use std::process::{Child, Command, Stdio};
    use std::sync::Arc;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use bytes::Bytes;
    use futures::FutureExt;
    use mizan_core::{CacheBackend, CacheError, RedisCache};

    use crate::{Fixture, eventually};

    /// Failing fast means well under this.
    const FAST: Duration = Duration::from_secs(5);

    fn redis_url() -> String {
        std::env::var("MIZAN_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
    }

    fn unique_prefix(test: &str) -> String {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
        format!("mizan-test:{}:{nanos}:{test}:", std::process::id())
    }

    async fn connect(prefix: &str, default_ttl: Option<Duration>) -> RedisCache {
        let url = redis_url();
        let mut builder = RedisCache::builder(&url).prefix(prefix);
        if let Some(ttl) = default_ttl {
            builder = builder.default_ttl(ttl);
        }
        builder.connect().await.unwrap_or_else(|err| {
            panic!("the Redis tests need a Redis server at {url} (set MIZAN_TEST_REDIS_URL): {err}")
        })
    }

    fn cleanup_of(cache: RedisCache) -> Box<dyn FnOnce() -> futures::future::BoxFuture<'static, ()> + Send> {
        Box::new(move || {
            async move {
                cache.clear_prefix().await.expect("cleaning up the test's keys");
            }
            .boxed()
        })
    }

    async fn redis_fixture(test: &'static str, default_ttl: Option<Duration>) -> Fixture {
        let cache = connect(&unique_prefix(test), default_ttl).await;
        Fixture {
            backend: Arc::new(cache.clone()),
            cleanup: Some(cleanup_of(cache)),
        }
    }

    backend_suite!(redis_fixture);

    #[tokio::test]
    async fn prefixes_isolate_caches() {
        let a = connect(&unique_prefix("isolate-a"), None).await;
        let b = connect(&unique_prefix("isolate-b"), None).await;

        a.set("k", Bytes::from_static(b"from a"), None).await.unwrap();
        a.incr("tag").await.unwrap();
        assert_eq!(b.get("k").await.unwrap(), None);
        assert_eq!(b.get_counter("tag").await.unwrap(), 0);

        b.set("k", Bytes::from_static(b"from b"), None).await.unwrap();
        assert_eq!(a.get("k").await.unwrap(), Some(Bytes::from_static(b"from a")));

        assert_eq!(b.clear_prefix().await.unwrap(), 1);
        assert_eq!(
            a.get("k").await.unwrap(),
            Some(Bytes::from_static(b"from a")),
            "b's clear left a alone"
        );
        assert_eq!(a.get_counter("tag").await.unwrap(), 1);
        assert_eq!(a.clear_prefix().await.unwrap(), 2);
        assert_eq!(a.get("k").await.unwrap(), None);
        assert_eq!(a.get_counter("tag").await.unwrap(), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn counters_are_shared_and_atomic_across_instances() {
        let prefix = unique_prefix("across-instances");
        let instances = [connect(&prefix, None).await, connect(&prefix, None).await];
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let cache = instances[i % 2].clone();
                tokio::spawn(async move {
                    for _ in 0..20 {
                        cache.incr("shared").await.unwrap();
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let read = [
            instances[0].get_counter("shared").await.unwrap(),
            instances[1].get_counter("shared").await.unwrap(),
        ];
        instances[0].clear_prefix().await.unwrap();
        assert_eq!(read, [1000, 1000]);
    }

    #[tokio::test]
    async fn an_invalid_url_is_a_config_error() {
        let err = RedisCache::builder("definitely not a url").build().unwrap_err();
        assert!(
            matches!(err, CacheError::Config { backend: "redis", .. }),
            "{err:?}"
        );
        assert!(!err.is_transient());
    }

    fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    /// Runs `op` and checks it fails fast with a transient error from the Redis backend.
    async fn assert_fails_fast<T: std::fmt::Debug>(
        what: &str,
        op: impl std::future::Future<Output = Result<T, CacheError>>,
    ) {
        let result = tokio::time::timeout(FAST, op)
            .await
            .unwrap_or_else(|_| panic!("{what} hung for {FAST:?} instead of failing"));
        let err = result.expect_err(what);
        assert_eq!(err.backend(), "redis");
        assert!(err.is_transient(), "{what}: {err:?} should be transient");
    }

    #[tokio::test]
    async fn a_dead_server_fails_fast_with_typed_errors() {
        let url = format!("redis://127.0.0.1:{}", free_port());
        let cache = RedisCache::builder(&url)
            .prefix("dead:")
            .build()
            .expect("building does not connect");

        for _ in 0..2 {
            assert_fails_fast("get", cache.get("k")).await;
            assert_fails_fast("set", cache.set("k", Bytes::from_static(b"v"), None)).await;
            assert_fails_fast("delete", cache.delete("k")).await;
            assert_fails_fast("incr", cache.incr("tag")).await;
            assert_fails_fast("get_many_counters", cache.get_many_counters(&["a", "b"])).await;
        }
        let err = cache.get("k").await.unwrap_err();
        assert!(
            matches!(err, CacheError::Unavailable { .. }),
            "a refused connection is unavailable: {err:?}"
        );

        assert_fails_fast("connect", RedisCache::connect(&url, "dead:")).await;
    }

    #[tokio::test]
    async fn a_server_that_never_answers_times_out() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("redis://{}", listener.local_addr().unwrap());
        // Accepts connections and holds them open without ever replying.
        let silent = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let cache = RedisCache::builder(&url).prefix("silent:").build().unwrap();

        assert_fails_fast("get", cache.get("k")).await;
        assert_fails_fast("incr", cache.incr("tag")).await;
        let err = cache.set("k", Bytes::from_static(b"v"), None).await.unwrap_err();
        assert!(
            matches!(err, CacheError::Timeout { .. }),
            "a silent server times out: {err:?}"
        );
        silent.abort();
    }

    /// A throwaway `redis-server` without persistence, killed when dropped.
    struct RedisServer {
        port: u16,
        child: Option<Child>,
    }

    impl RedisServer {
        async fn start(port: u16) -> Self {
            let child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(std::env::temp_dir())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("redis-server must be installed for the Redis failure tests");
            let server = Self {
                port,
                child: Some(child),
            };
            let listening = eventually(FAST, || async {
                tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok()
            })
            .await;
            assert!(
                listening,
                "redis-server did not listen on port {port} within {FAST:?}"
            );
            server
        }

        fn url(&self) -> String {
            format!("redis://127.0.0.1:{}", self.port)
        }

        fn stop(&mut self) {
            if let Some(mut child) = self.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }

    impl Drop for RedisServer {
        fn drop(&mut self) {
            self.stop();
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_cache_fails_fast_while_redis_is_down_and_recovers_when_it_is_back() {
        let port = free_port();
        let mut server = RedisServer::start(port).await;
        let cache = RedisCache::connect(&server.url(), "restart:").await.unwrap();
        cache.set("k", Bytes::from_static(b"before"), None).await.unwrap();
        assert_eq!(cache.get("k").await.unwrap(), Some(Bytes::from_static(b"before")));
        assert_eq!(cache.incr("tag").await.unwrap(), 1);

        server.stop();
        for _ in 0..3 {
            assert_fails_fast("get", cache.get("k")).await;
            assert_fails_fast("set", cache.set("k", Bytes::from_static(b"v"), None)).await;
            assert_fails_fast("incr", cache.incr("tag")).await;
        }

        let _server = RedisServer::start(port).await;
        let recovered = eventually(Duration::from_secs(15), || async {
            cache.set("k", Bytes::from_static(b"after"), None).await.is_ok()
        })
        .await;
        assert!(
            recovered,
            "the cache did not reconnect within 15 s of Redis coming back"
        );
        assert_eq!(cache.get("k").await.unwrap(), Some(Bytes::from_static(b"after")));
        // The new server started empty: the counter starts over.
        assert_eq!(cache.incr("tag").await.unwrap(), 1);
    }
}

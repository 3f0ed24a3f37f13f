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

/// Milliseconds since the Unix epoch, by this machine's clock.
fn unix_millis() -> u64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    u64::try_from(since_epoch.as_millis()).unwrap()
}

/// Waits until the clock has passed `revision`: a store that forgets its counters brings
/// them back larger than every value they had once the clock is past those values (purges
/// faster than one a millisecond run a counter ahead of the clock).
async fn until_the_clock_passes(revision: u64) {
    let passed = eventually(Duration::from_secs(5), || async { unix_millis() > revision }).await;
    assert!(passed, "revision {revision} is more than 5 s ahead of the clock");
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
            counters_read_zero_until_purged_then_follow_the_clock = None,
            a_purge_ahead_of_the_clock_adds_one = None,
            incr_is_atomic_under_concurrency = None,
            get_many_counters_reads_missing_as_zero = None,
            start_counters_starts_only_missing_counters = None,
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

    use crate::{eventually, unix_millis};

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
        let purged = cache.incr("tag").await.unwrap();
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
            purged,
            "counters never expire"
        );
    }

    /// The backend's clock may be another machine's (a remote Redis): this much apart is
    /// still the same clock.
    const CLOCK_SLACK_MS: u64 = 5_000;

    pub(crate) async fn counters_read_zero_until_purged_then_follow_the_clock(cache: Arc<dyn CacheBackend>) {
        assert_eq!(cache.get_counter("posts").await.unwrap(), 0);
        let before = unix_millis();
        let first = cache.incr("posts").await.unwrap();
        let after = unix_millis();
        assert!(
            (before - CLOCK_SLACK_MS..=after + CLOCK_SLACK_MS).contains(&first),
            "a first purge takes the clock: {first} is not within {before}..={after}"
        );
        let second = cache.incr("posts").await.unwrap();
        let third = cache.incr("posts").await.unwrap();
        assert!(first < second && second < third, "{first}, {second}, {third}");
        assert_eq!(cache.get_counter("posts").await.unwrap(), third);
        assert_eq!(cache.get_counter("users").await.unwrap(), 0);
    }

    pub(crate) async fn a_purge_ahead_of_the_clock_adds_one(cache: Arc<dyn CacheBackend>) {
        // Purges in a tight loop outrun a millisecond clock: each still moves the counter.
        let mut previous = cache.incr("burst").await.unwrap();
        for _ in 0..200 {
            let next = cache.incr("burst").await.unwrap();
            assert!(
                next == previous + 1 || next > previous && next <= unix_millis() + CLOCK_SLACK_MS,
                "{previous} moved to {next}: neither one more nor the clock"
            );
            previous = next;
        }
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
            let observed = task.await.unwrap();
            assert!(
                observed.is_sorted_by(|a, b| a < b),
                "one task's purges went back: {observed:?}"
            );
            seen.extend(observed);
        }
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(
            seen.len() as u64,
            TASKS * INCREMENTS,
            "every purge observes a distinct value"
        );
        assert_eq!(cache.get_counter("hot").await.unwrap(), *seen.last().unwrap());
    }

    pub(crate) async fn get_many_counters_reads_missing_as_zero(cache: Arc<dyn CacheBackend>) {
        let a = cache.incr("a").await.unwrap();
        let b = cache.incr("b").await.unwrap();
        let values = cache
            .get_many_counters(&["a", "missing", "b", "a"])
            .await
            .unwrap();
        assert_eq!(values, vec![a, 0, b, a]);
        assert_eq!(cache.get_many_counters(&[]).await.unwrap(), Vec::<u64>::new());
        assert_eq!(cache.get_many_counters(&["nothing"]).await.unwrap(), vec![0]);
        assert_eq!(
            cache.get_counter("missing").await.unwrap(),
            0,
            "reading creates no counter"
        );
    }

    pub(crate) async fn start_counters_starts_only_missing_counters(cache: Arc<dyn CacheBackend>) {
        let purged = cache.incr("purged").await.unwrap();
        let before = unix_millis();
        let values = cache.start_counters(&["purged", "fresh", "fresh"]).await.unwrap();
        let after = unix_millis();
        let fresh = values[1];
        assert_eq!(values, vec![purged, fresh, fresh], "a counter is started once");
        assert!(
            (before - CLOCK_SLACK_MS..=after + CLOCK_SLACK_MS).contains(&fresh),
            "a counter starts at the clock, as a purge would: {fresh} is not within {before}..={after}"
        );
        assert_eq!(cache.start_counters(&["fresh"]).await.unwrap(), vec![fresh]);
        assert_eq!(
            cache.get_many_counters(&["fresh", "purged"]).await.unwrap(),
            vec![fresh, purged]
        );
        assert!(
            cache.incr("fresh").await.unwrap() > fresh,
            "a started counter purges on from there"
        );
        assert_eq!(cache.start_counters(&[]).await.unwrap(), Vec::<u64>::new());
    }

    pub(crate) async fn entries_and_counters_never_alias(cache: Arc<dyn CacheBackend>) {
        cache.set("posts", Bytes::from_static(b"41"), None).await.unwrap();
        assert_eq!(cache.get_counter("posts").await.unwrap(), 0);
        let purged = cache.incr("posts").await.unwrap();
        assert_eq!(cache.get("posts").await.unwrap(), Some(Bytes::from_static(b"41")));

        cache.delete("posts").await.unwrap();
        assert_eq!(
            cache.get_counter("posts").await.unwrap(),
            purged,
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
            assert!(cache.weighted_size() <= BOUND, "over the bound after {i} writes");
        }
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
        let mut expected = Vec::new();
        for tag in &tags {
            expected.push(cache.incr(tag).await.unwrap());
        }
        flood(&cache, 2000).await;

        let keys: Vec<&str> = tags.iter().map(String::as_str).collect();
        assert_eq!(cache.get_many_counters(&keys).await.unwrap(), expected);
    }

    #[tokio::test]
    async fn a_restarted_memory_cache_starts_counters_beyond_the_old_ones() {
        let first = MemoryCache::new();
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push(first.incr("posts").await.unwrap());
        }
        drop(first);
        crate::until_the_clock_passes(*seen.iter().max().unwrap()).await;

        let restarted = MemoryCache::new();
        let revision = restarted.incr("posts").await.unwrap();
        assert!(
            seen.iter().all(|&old| revision > old),
            "the restarted cache's {revision} does not pass the first one's {seen:?}"
        );
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
    use mizan_core::{CacheBackend, CacheError, MAX_SAFE_INTEGER, RedisCache, next_revision};

    use crate::{Fixture, eventually, unix_millis};

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
        let purged = a.incr("tag").await.unwrap();
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
        assert_eq!(a.get_counter("tag").await.unwrap(), purged);
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
                    let mut seen = Vec::new();
                    for _ in 0..20 {
                        seen.push(cache.incr("shared").await.unwrap());
                    }
                    seen
                })
            })
            .collect();
        let mut seen = Vec::new();
        for task in tasks {
            let observed = task.await.unwrap();
            assert!(
                observed.is_sorted_by(|a, b| a < b),
                "one task's purges went back: {observed:?}"
            );
            seen.extend(observed);
        }
        let read = [
            instances[0].get_counter("shared").await.unwrap(),
            instances[1].get_counter("shared").await.unwrap(),
        ];
        instances[0].clear_prefix().await.unwrap();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 1000, "every purge observes a distinct value");
        let newest = *seen.last().unwrap();
        assert_eq!(
            read,
            [newest, newest],
            "both instances read the last purge's value"
        );
    }

    #[tokio::test]
    async fn a_counter_the_store_forgot_comes_back_larger_than_it_ever_was() {
        let cache = connect(&unique_prefix("forgotten"), None).await;
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push(cache.incr("posts").await.unwrap());
        }
        // What a restart without persistence, FLUSHDB or an `allkeys-*` eviction leaves.
        cache.clear_prefix().await.unwrap();
        crate::until_the_clock_passes(*seen.iter().max().unwrap()).await;

        let revision = cache.incr("posts").await.unwrap();
        cache.clear_prefix().await.unwrap();
        assert!(
            seen.iter().all(|&old| revision > old),
            "the counter came back as {revision}, not past {seen:?}"
        );
    }

    #[tokio::test]
    async fn the_counter_script_follows_the_shared_rule() {
        let prefix = unique_prefix("rule");
        let cache = connect(&prefix, None).await;
        let client = ::redis::Client::open(redis_url()).unwrap();
        let mut raw = client.get_multiplexed_async_connection().await.unwrap();
        let ahead = unix_millis() + 3_600_000;
        for (key, value) in [
            ("ahead", ahead.to_string()),
            ("behind", "41".to_owned()),
            ("text", "forty-one".to_owned()),
            ("last", MAX_SAFE_INTEGER.to_string()),
        ] {
            let () = ::redis::cmd("SET")
                .arg(format!("{prefix}r:{key}"))
                .arg(value)
                .query_async(&mut raw)
                .await
                .unwrap();
        }

        let bumped = cache.incr("ahead").await;
        let caught_up = cache.incr("behind").await.unwrap();
        let text = cache.incr("text").await;
        let past_the_last = cache.incr("last").await;
        let started = cache.start_counters(&["ahead", "last", "new"]).await;
        cache.clear_prefix().await.unwrap();

        assert_eq!(bumped.unwrap(), next_revision(ahead, unix_millis()).unwrap());
        assert!(
            caught_up > 41 && caught_up <= unix_millis(),
            "41 moved to {caught_up}, not to the clock"
        );
        for (what, result) in [("a text", text), ("2^53 - 1", past_the_last)] {
            let err = result.expect_err(what);
            assert!(
                matches!(err, CacheError::Protocol { backend: "redis", .. }),
                "{what}: {err:?}"
            );
        }
        let started = started.unwrap();
        assert_eq!(
            started[..2],
            [ahead + 1, MAX_SAFE_INTEGER],
            "existing counters stay"
        );
        assert!(started[2] > 41 && started[2] <= unix_millis());
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
            assert_fails_fast("start_counters", cache.start_counters(&["a", "b"])).await;
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
        let before = cache.incr("tag").await.unwrap();

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
        // The new server started empty, and loaded no script: the counter starts again from
        // its clock, past where it was.
        let after = cache.incr("tag").await.unwrap();
        assert!(after > before, "the counter went back from {before} to {after}");
    }
}

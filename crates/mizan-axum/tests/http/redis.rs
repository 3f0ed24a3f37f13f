//! The real local Redis behind the request flow: a shared cache between two instances,
//! purge seen across instances, and a Redis that is down.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mizan_core::{CacheBackend, RedisCache};
use serde_json::json;

use crate::support::{Server, config, registry, until_the_clock_passes};

fn redis_url() -> String {
    std::env::var("MIZAN_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn unique_prefix(test: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("mizan-test:{}:{nanos}:{test}:", std::process::id())
}

async fn redis(prefix: &str) -> Arc<RedisCache> {
    Arc::new(
        RedisCache::connect(&redis_url(), prefix)
            .await
            .expect("the local Redis answers"),
    )
}

#[tokio::test]
async fn two_instances_share_entries_and_see_each_others_purges() {
    let prefix = unique_prefix("two_instances");
    let (cache_a, cache_b) = (redis(&prefix).await, redis(&prefix).await);
    let a = Server::start(registry(), config().with_cache(cache_a.clone())).await;
    let b = Server::start(registry(), config().with_cache(cache_b)).await;

    let first = a.call("counter", json!({"n": 1}), None).await;
    assert_eq!(first.header("mizan-cache"), Some("miss"));
    let shared = b.call("counter", json!({"n": 1}), None).await;
    assert_eq!(shared.header("mizan-cache"), Some("hit"), "B reads what A stored");
    assert_eq!(shared.body, first.body);

    let purged = b.purge(&["counted"]).await.body["revisions"]["counted"]
        .as_u64()
        .unwrap();
    assert_eq!(a.revisions(&["counted"]).await, [purged], "one counter for both");
    let after = a.call("counter", json!({"n": 1}), None).await;
    assert_eq!(after.header("mizan-cache"), Some("miss"));
    let rev = after.body["rev"].as_u64().unwrap();
    assert!(rev > first.body["rev"].as_u64().unwrap());

    // A mutation on A invalidates for B.
    a.call("write", json!(null), None).await;
    let after = b.call("counter", json!({"n": 1}), None).await;
    assert_eq!(after.header("mizan-cache"), Some("miss"));
    assert!(after.body["rev"].as_u64() > Some(rev));

    cache_a.clear_prefix().await.unwrap();
}

#[tokio::test]
async fn a_redis_that_lost_its_data_never_hands_out_an_older_revision() {
    let cache = redis(&unique_prefix("lost_data")).await;
    let server = Server::start(registry(), config().with_cache(cache.clone())).await;
    let rev = |reply: &crate::support::Reply| reply.body["rev"].as_u64().unwrap();

    server.call("counter", json!(null), None).await;
    let purged = server.purge(&["counted"]).await.body["revisions"]["counted"]
        .as_u64()
        .unwrap();
    let before = rev(&server.call("counter", json!(null), None).await);
    // A restart without persistence, or FLUSHDB.
    cache.clear_prefix().await.unwrap();
    until_the_clock_passes(purged).await;

    let after = server.call("counter", json!(null), None).await;
    assert_eq!(after.header("mizan-cache"), Some("miss"));
    assert!(
        rev(&after) > before,
        "the revision went back from {before} to {}",
        rev(&after)
    );
    let repurged = server.purge(&["counted"]).await.body["revisions"]["counted"]
        .as_u64()
        .unwrap();
    let last = rev(&server.call("counter", json!(null), None).await);
    cache.clear_prefix().await.unwrap();
    assert!(repurged > purged, "the purge gave {repurged}, not past {purged}");
    assert!(
        last > rev(&after),
        "the purge did not move the revision past {}",
        rev(&after)
    );
}

#[tokio::test]
async fn a_redis_that_is_down_is_a_miss_never_an_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dead = RedisCache::builder(format!("redis://127.0.0.1:{port}"))
        .prefix(unique_prefix("dead"))
        .operation_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let server = Server::start(registry(), config().with_cache(Arc::new(dead))).await;
    for n in 1..=2 {
        let reply = server.call("counter", json!(null), None).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("mizan-cache"), Some("bypass"));
        assert_eq!(reply.body["data"]["computed"], n, "the handler runs each time");
    }
    assert!(server.mizan.metrics().snapshot().cache_errors >= 2);
    // A purge cannot be recorded: that is an error the purger must see.
    let reply = server.purge(&["counted"]).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (503, "unavailable"));
}

#[tokio::test]
async fn redis_entries_are_isolated_by_prefix() {
    let (one, two) = (unique_prefix("iso1"), unique_prefix("iso2"));
    let (cache_one, cache_two) = (redis(&one).await, redis(&two).await);
    let a = Server::start(registry(), config().with_cache(cache_one.clone())).await;
    let b = Server::start(registry(), config().with_cache(cache_two.clone())).await;
    a.call("counter", json!(null), None).await;
    assert_eq!(
        b.call("counter", json!(null), None).await.header("mizan-cache"),
        Some("miss")
    );
    assert_eq!(cache_one.name(), "redis");
    cache_one.clear_prefix().await.unwrap();
    cache_two.clear_prefix().await.unwrap();
}

//! Two instances on the real local Redis: a publication or a purge on one reaches
//! clients of the other, and they share one history to recover from.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mizan_core::RedisCache;
use mizan_core::channels::RedisLayer;
use serde_json::json;

use mizan_axum::Config;

use crate::support::{
    CACHE_SECRET, CHAT, FEED, FEED_HISTORY, Room, SIGNING_KEY, Said, Server, config, publish_feed, registry,
};

pub(crate) fn redis_url() -> String {
    std::env::var("MIZAN_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

pub(crate) fn unique_prefix(test: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("mizan-test:{}:{nanos}:{test}:", std::process::id())
}

#[tokio::test]
async fn a_publication_on_one_instance_reaches_a_subscriber_on_the_other() {
    let prefix = unique_prefix("channels_two_instances");
    let layer = |prefix| async move {
        Arc::new(
            RedisLayer::connect(&redis_url(), prefix)
                .await
                .expect("the local Redis answers"),
        )
    };
    let cache = Arc::new(RedisCache::connect(&redis_url(), prefix.clone()).await.unwrap());
    let a = Server::start(
        registry(),
        config()
            .with_channel_layer(layer(&prefix).await)
            .with_cache(cache.clone()),
    )
    .await;
    let b = Server::start(
        registry(),
        config()
            .with_channel_layer(layer(&prefix).await)
            .with_cache(cache.clone()),
    )
    .await;
    let mut on_b = b.connect().await;
    on_b.subscribe("chat", json!({"room": 9})).await;
    on_b.subscribe("mizan_revisions", json!(null)).await;

    let said = Said {
        user: "a".into(),
        text: "via redis".into(),
    };
    a.mizan
        .publisher()
        .publish(&CHAT, &Room { room: 9 }, &said)
        .await
        .unwrap();
    let message = on_b.message().await;
    assert_eq!(
        (message["params"].clone(), message["data"]["text"].clone()),
        (json!({"room": 9}), json!("via redis"))
    );

    let purged = a.mizan.purge(["posts"]).await;
    assert_eq!(on_b.message().await["data"], json!({"revisions": purged}));

    // A client message on A is heard on B too.
    let mut on_a = a.connect().await;
    on_a.request(json!({"type": "send", "channel": "chat", "params": {"room": 9}, "data": "hello b"}))
        .await;
    assert_eq!(on_b.message().await["data"]["text"], "hello b");

    cache.clear_prefix().await.unwrap();
}

#[tokio::test]
async fn instances_with_different_prefixes_stay_apart() {
    let (p1, p2) = (unique_prefix("apart_1"), unique_prefix("apart_2"));
    let a = Server::start(
        registry(),
        config().with_channel_layer(Arc::new(RedisLayer::connect(&redis_url(), &p1).await.unwrap())),
    )
    .await;
    let b = Server::start(
        registry(),
        config().with_channel_layer(Arc::new(RedisLayer::connect(&redis_url(), &p2).await.unwrap())),
    )
    .await;
    let mut on_b = b.connect().await;
    on_b.subscribe("chat", json!({"room": 1})).await;
    let said = |text: &str| Said {
        user: "x".into(),
        text: text.into(),
    };
    a.mizan
        .publisher()
        .publish(&CHAT, &Room { room: 1 }, &said("other app"))
        .await
        .unwrap();
    b.mizan
        .publisher()
        .publish(&CHAT, &Room { room: 1 }, &said("own app"))
        .await
        .unwrap();
    // B's own publication arrives, and A's (published first) never did.
    assert_eq!(on_b.message().await["data"]["text"], "own app");
}

/// Two servers on one Redis prefix, and the layer of the first (to clean up with).
async fn two_instances(prefix: &str) -> (Server, Server, Arc<RedisLayer>) {
    let layer = || async {
        Arc::new(
            RedisLayer::connect(&redis_url(), prefix)
                .await
                .expect("the local Redis answers"),
        )
    };
    let on_a = layer().await;
    let a = Server::start(registry(), config().with_channel_layer(on_a.clone())).await;
    let b = Server::start(registry(), config().with_channel_layer(layer().await)).await;
    (a, b, on_a)
}

#[tokio::test]
async fn a_client_recovers_on_one_instance_what_was_published_on_the_other() {
    let (a, b, layer) = two_instances(&unique_prefix("recovery_two_instances")).await;
    let mut client = b.connect().await;
    let ack = client.subscribe_feed(None).await;
    assert_eq!(ack["offset"], 0, "{ack}");
    publish_feed(&a, 0..2).await;
    assert_eq!(client.offsets(2).await, vec![(1, 0), (2, 1)]);
    drop(client);

    publish_feed(&a, 2..12).await;
    // Back on the other instance, while A keeps publishing.
    let mut client = a.connect().await;
    let publisher = b.mizan.publisher().clone();
    let publishing = tokio::spawn(async move {
        for value in 12..40u64 {
            publisher.publish(&FEED, &(), &value).await.unwrap();
        }
    });
    let since = json!({"offset": 2, "epoch": ack["epoch"]});
    let ack = client.subscribe_feed(Some(since)).await;
    assert_eq!(ack["recovered"], true, "{ack}");
    publishing.await.unwrap();
    let expected: Vec<(u64, u64)> = (3..=40).map(|offset| (offset, offset - 1)).collect();
    assert_eq!(
        client.offsets(expected.len()).await,
        expected,
        "the 10 missed, then the rest, once each"
    );
    client.request(json!({"type": "ping"})).await;
    publish_feed(&b, 40..41).await;
    assert_eq!(
        client.offsets(1).await,
        vec![(41, 40)],
        "nothing twice at the seam"
    );
    layer.clear_history().await.unwrap();
}

#[tokio::test]
async fn a_lost_or_too_short_redis_history_is_not_recovered() {
    let (a, b, layer) = two_instances(&unique_prefix("recovery_lost")).await;
    let mut client = b.connect().await;
    let ack = client.subscribe_feed(None).await;
    let epoch = ack["epoch"].clone();
    drop(client);

    // More than the stream keeps: MAXLEN trims it, so offset 1 is gone.
    let missed = FEED_HISTORY as u64 + 5;
    publish_feed(&a, 0..missed).await;
    let mut client = b.connect().await;
    let ack = client
        .subscribe_feed(Some(json!({"offset": 0, "epoch": epoch})))
        .await;
    assert_eq!(
        (ack["recovered"].clone(), ack["offset"].as_u64()),
        (json!(false), Some(missed)),
        "{ack}"
    );
    drop(client);
    // What is still within the bound is recovered, and no more than the bound is kept.
    let mut client = b.connect().await;
    let kept_from = missed - FEED_HISTORY as u64;
    let ack = client
        .subscribe_feed(Some(json!({"offset": kept_from, "epoch": epoch})))
        .await;
    assert_eq!(ack["recovered"], true, "{ack}");
    assert_eq!(
        client.offsets(FEED_HISTORY).await.first(),
        Some(&(kept_from + 1, kept_from))
    );
    drop(client);

    // The history is lost (as when its keys expire): a new epoch, nothing recovered.
    assert!(
        layer.clear_history().await.unwrap() >= 2,
        "the stream and its meta hash"
    );
    let mut client = a.connect().await;
    let ack = client
        .subscribe_feed(Some(json!({"offset": missed, "epoch": epoch})))
        .await;
    assert_eq!(ack["recovered"], false, "{ack}");
    assert_ne!(ack["epoch"], epoch);
    publish_feed(&b, 0..1).await;
    assert_eq!(
        client.offsets(1).await,
        vec![(1, 0)],
        "offsets start again in the new epoch"
    );
    layer.clear_history().await.unwrap();
}

/// `MIZAN_REDIS_URL` alone gives instances both halves: the shared cache (the revision
/// counts continue across instances) and the shared channels (each hears the other's
/// `mizan_revisions`).
#[tokio::test]
async fn one_redis_url_in_the_environment_shares_cache_and_channels() {
    let prefix = unique_prefix("from_env");
    let env = |name: &str| match name {
        "MIZAN_CACHE_SECRET" => Some(hex::encode(CACHE_SECRET)),
        "MIZAN_SIGNING_KEYS" => Some(format!("k1={}", hex::encode(SIGNING_KEY))),
        "MIZAN_REDIS_URL" => Some(redis_url()),
        "MIZAN_REDIS_PREFIX" => Some(prefix.clone()),
        _ => None,
    };
    let a = Server::start(registry(), Config::from_lookup(env).unwrap()).await;
    let b = Server::start(registry(), Config::from_lookup(env).unwrap()).await;
    let (mut on_a, mut on_b) = (a.connect().await, b.connect().await);
    on_a.subscribe("mizan_revisions", json!(null)).await;
    on_b.subscribe("mizan_revisions", json!(null)).await;

    // The layers subscribe in the background: purge until B hears A.
    let mut purges = 0;
    let on_a_purged = loop {
        let purged = a.mizan.purge(["posts"]).await["posts"];
        purges += 1;
        if tokio::time::timeout(Duration::from_millis(200), on_b.message())
            .await
            .is_ok()
        {
            break purged;
        }
        assert!(purges < 50, "B never heard A through Redis");
    };
    // B's purge continues A's count (one cache) and reaches A (one channel layer).
    let on_b_purged = b.mizan.purge(["posts"]).await["posts"];
    assert!(
        on_b_purged > on_a_purged,
        "B purged to {on_b_purged}, A had {on_a_purged}"
    );
    loop {
        let message = on_a.message().await;
        if message["data"]["revisions"]["posts"] == json!(on_b_purged) {
            break;
        }
        assert!(
            message["data"]["revisions"]["posts"].as_u64() <= Some(on_a_purged),
            "{message}"
        );
    }

    let cache = RedisCache::connect(&redis_url(), prefix).await.unwrap();
    cache.clear_prefix().await.unwrap();
}

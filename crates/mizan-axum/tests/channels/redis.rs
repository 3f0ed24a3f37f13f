//! Two instances on the real local Redis: a publication or a purge on one reaches
//! clients of the other.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use mizan_core::RedisCache;
use mizan_core::channels::RedisLayer;
use serde_json::json;

use crate::support::{CHAT, Room, Said, Server, config, registry};

fn redis_url() -> String {
    std::env::var("MIZAN_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn unique_prefix(test: &str) -> String {
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

    a.mizan.purge(["posts"]).await;
    assert_eq!(on_b.message().await["data"], json!({"revisions": {"posts": 1}}));

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

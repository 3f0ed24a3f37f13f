//! Flow control: a slow consumer is dropped without slowing anyone, and instances sharing
//! an in-process layer hear each other.

use std::sync::Arc;

use mizan_axum::Limits;
use mizan_core::channels::InProcessLayer;
use serde_json::json;

use crate::support::{CHAT, NEWS, Room, Said, Seen, Server, config, registry};

async fn a_slow_consumer_is_dropped_while_a_fast_one_receives_everything() {
    let mut limits = Limits::default();
    limits.channels.queue_len = 8;
    let server = Server::start(registry(), config().with_limits(limits)).await;
    let mut slow = server.connect().await;
    let mut fast = server.connect().await;
    slow.subscribe("news", json!(null)).await;
    fast.subscribe("news", json!(null)).await;

    // `slow` never reads. Publish large messages one at a time, each read by `fast`
    // before the next, until the server gives up on `slow` (its socket buffers and then
    // its queue fill up). Bounded: loopback buffers hold a few MiB at most.
    let publisher = server.mizan.publisher();
    let payload = "x".repeat(64 * 1024);
    let mut published = 0;
    while server.mizan.metrics().snapshot().ws_slow_consumers == 0 {
        assert!(published < 2000, "the slow consumer was never dropped");
        let text = format!("{published}:{payload}");
        publisher.publish(&NEWS, &(), &text).await.unwrap();
        let got = fast.message().await;
        let got = got["data"].as_str().unwrap();
        assert!(
            got.starts_with(&format!("{published}:")),
            "fast got every message in order"
        );
        published += 1;
    }
    assert!(published > 8, "more than a queue's worth was sent: {published}");

    // `fast` keeps receiving after the drop.
    publisher.publish(&NEWS, &(), &"after".to_owned()).await.unwrap();
    assert_eq!(fast.message().await["data"], "after");

    // `slow` finds its connection closed after what was already buffered.
    let mut seen = 0;
    loop {
        match slow.next().await {
            Seen::Frame(_) => seen += 1,
            Seen::Closed(code) => {
                assert!(matches!(code, None | Some(4008)), "close code {code:?}");
                break;
            }
        }
        assert!(seen <= published, "more frames than were published");
    }
    assert!(
        seen < published + 1,
        "the slow client missed messages: it was dropped"
    );
    // The connection task ends after the close; give it a moment to finish (or panic)
    // before `Server::drop` checks that no server task panicked.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
}

async fn instances_sharing_an_in_process_layer_hear_each_other() {
    let layer = Arc::new(InProcessLayer::new());
    let a = Server::start(registry(), config().with_channel_layer(layer.clone())).await;
    let b = Server::start(registry(), config().with_channel_layer(layer)).await;
    let mut on_b = b.connect().await;
    on_b.subscribe("chat", json!({"room": 3})).await;
    on_b.subscribe("mizan_revisions", json!(null)).await;

    let said = Said {
        user: "a".into(),
        text: "across".into(),
    };
    a.mizan
        .publisher()
        .publish(&CHAT, &Room { room: 3 }, &said)
        .await
        .unwrap();
    assert_eq!(on_b.message().await["data"]["text"], "across");
    let purged = a.mizan.purge(["t"]).await;
    assert_eq!(on_b.message().await["data"], json!({"revisions": purged}));
}

crate::over_both_transports!(
    a_slow_consumer_is_dropped_while_a_fast_one_receives_everything,
    instances_sharing_an_in_process_layer_hear_each_other,
);

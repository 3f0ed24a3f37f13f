//! History and recovery on the in-process layer: a client that was away gets exactly what
//! it missed, in order, then live messages, with nothing twice; or `recovered: false`.

use std::sync::Arc;

use mizan_axum::Limits;
use mizan_core::channels::InProcessLayer;
use serde_json::{Value, json};

use crate::support::{FEED, FEED_HISTORY, Server, config, publish_feed, registry};

const _: () = assert!(FEED_HISTORY > 400, "the seam test recovers up to 400");

fn position(frame: &Value) -> Value {
    json!({"offset": frame["offset"], "epoch": frame["epoch"]})
}

async fn a_client_that_was_away_recovers_exactly_what_it_missed_then_live_ones() {
    let server = Server::default().await;
    let mut client = server.connect().await;
    let ack = client.subscribe_feed(None).await;
    assert_eq!(
        (ack["type"].as_str(), ack["offset"].as_u64()),
        (Some("ack"), Some(0)),
        "{ack}"
    );
    assert!(
        ack["epoch"].is_string() && ack.get("recovered").is_none(),
        "{ack}"
    );
    publish_feed(&server, 0..3).await;
    assert_eq!(client.offsets(3).await, vec![(1, 0), (2, 1), (3, 2)]);
    drop(client);

    publish_feed(&server, 3..10).await;
    let mut client = server.connect().await;
    let since = json!({"offset": 3, "epoch": ack["epoch"]});
    let ack = client.subscribe_feed(Some(since)).await;
    assert_eq!(
        (ack["recovered"].as_bool(), ack["offset"].as_u64()),
        (Some(true), Some(10)),
        "{ack}"
    );
    publish_feed(&server, 10..12).await;
    let expected: Vec<(u64, u64)> = (4..=12).map(|offset| (offset, offset - 1)).collect();
    assert_eq!(
        client.offsets(9).await,
        expected,
        "the 7 missed, then the live ones"
    );
    client.request(json!({"type": "ping"})).await;
    publish_feed(&server, 12..13).await;
    assert_eq!(
        client.offsets(1).await,
        vec![(13, 12)],
        "nothing twice at the seam"
    );
}

// Several threads, so publications race the resubscribe for real. (Server panics on
// worker threads escape the per-thread check of `support`; the other tests cover that.)
async fn recovery_has_no_gap_and_no_duplicate_while_publications_keep_coming() {
    let server = Server::default().await;
    let mut client = server.connect().await;
    let ack = client.subscribe_feed(None).await;
    publish_feed(&server, 0..5).await;
    let seen = client.offsets(5).await;
    drop(client);

    // Publish on, concurrently with the resubscribe, so some publications land while
    // the history is read and the subscription goes live.
    let publisher = server.mizan.publisher().clone();
    let publishing = tokio::spawn(async move {
        for value in 5..400u64 {
            publisher.publish(&FEED, &(), &value).await.unwrap();
            if value % 16 == 0 {
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
        }
    });
    let mut client = server.connect().await;
    let since = json!({"offset": seen[4].0, "epoch": ack["epoch"]});
    let ack = client.subscribe_feed(Some(since)).await;
    publishing.await.unwrap();
    assert_eq!(
        ack["recovered"], true,
        "fewer than the history were missed: {ack}"
    );
    let expected: Vec<(u64, u64)> = (6..=400).map(|offset| (offset, offset - 1)).collect();
    assert_eq!(client.offsets(expected.len()).await, expected);
}

// A replay many times the queue's length waits for room instead of overflowing it; live
// publications follow it. (What the fan-out brings while a replay runs is in the hub's
// unit tests: its timing cannot be forced from outside.)
async fn a_replay_longer_than_the_queue_arrives_whole_then_live_ones() {
    const QUEUE: usize = 8;
    let mut limits = Limits::default();
    limits.channels.queue_len = QUEUE;
    let server = Server::start(registry(), config().with_limits(limits)).await;
    let mut client = server.connect().await;
    let ack = client.subscribe_feed(None).await;
    drop(client);

    publish_feed(&server, 0..300).await;
    let mut client = server.connect().await;
    let ack = client
        .subscribe_feed(Some(json!({"offset": 0, "epoch": ack["epoch"]})))
        .await;
    assert_eq!(ack["recovered"], true, "{ack}");
    publish_feed(&server, 300..300 + QUEUE as u64 / 2).await;
    let expected: Vec<(u64, u64)> = (1..=304).map(|offset| (offset, offset - 1)).collect();
    assert_eq!(client.offsets(expected.len()).await, expected);
}

async fn a_history_too_short_or_another_epoch_is_not_recovered() {
    let layer = Arc::new(InProcessLayer::new());
    let server = Server::start(registry(), config().with_channel_layer(layer.clone())).await;
    let mut client = server.connect().await;
    let ack = client.subscribe_feed(None).await;
    let epoch = ack["epoch"].clone();
    drop(client);

    // More than the history holds was published while away.
    publish_feed(&server, 0..FEED_HISTORY as u64 + 1).await;
    let mut client = server.connect().await;
    let ack = client
        .subscribe_feed(Some(json!({"offset": 0, "epoch": epoch})))
        .await;
    assert_eq!(ack["recovered"], false, "{ack}");
    publish_feed(&server, 100..101).await;
    let live = client.offsets(1).await;
    assert_eq!(
        live,
        vec![(FEED_HISTORY as u64 + 2, 100)],
        "nothing replayed, then live"
    );
    assert_eq!(
        layer.history_len(),
        FEED_HISTORY,
        "the ring holds at most its size"
    );

    // A restarted server (a new in-process layer) has a new epoch.
    let restarted = Server::default().await;
    let mut client = restarted.connect().await;
    let ack = client
        .subscribe_feed(Some(json!({"offset": FEED_HISTORY, "epoch": epoch})))
        .await;
    assert_eq!(ack["recovered"], false, "{ack}");
    assert_ne!(ack["epoch"], epoch);
    assert_eq!(position(&ack), json!({"offset": 0, "epoch": ack["epoch"]}));
}

crate::over_both_transports!(
    a_client_that_was_away_recovers_exactly_what_it_missed_then_live_ones,
    recovery_has_no_gap_and_no_duplicate_while_publications_keep_coming(
        flavor = "multi_thread",
        worker_threads = 2
    ),
    a_replay_longer_than_the_queue_arrives_whole_then_live_ones,
    a_history_too_short_or_another_epoch_is_not_recovered,
);

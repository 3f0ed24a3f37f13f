//! A hostile client on one connection: more topics than allowed, and the same topic over
//! and over. The limit holds and the connection keeps serving.

use serde_json::json;

use crate::support::{Server, error_code};

#[tokio::test]
async fn subscriptions_past_the_limit_are_refused_and_the_connection_lives_on() {
    let server = Server::default().await;
    let limit = mizan_axum::Limits::default().channels.max_subscriptions;
    // Rooms from 100 on: room 13 is for VIPs.
    let room = |n: usize| json!({"room": 100 + n});
    let mut client = server.connect().await;
    for n in 0..limit {
        let reply = client.subscribe("chat", room(n)).await;
        assert_eq!(reply["type"], "ack", "room {n}: {reply}");
    }
    let reply = client.subscribe("chat", room(limit)).await;
    assert_eq!(error_code(&reply), "limit_exceeded", "{reply}");
    // Subscribing again to a topic it has costs nothing more, and unsubscribing frees one.
    assert_eq!(client.subscribe("chat", room(0)).await["type"], "ack");
    let reply = client
        .request(json!({"type": "unsubscribe", "channel": "chat", "params": room(0)}))
        .await;
    assert_eq!(reply["type"], "ack", "{reply}");
    assert_eq!(client.subscribe("chat", room(limit)).await["type"], "ack");
    assert_eq!(client.request(json!({"type": "ping"})).await["type"], "pong");
}

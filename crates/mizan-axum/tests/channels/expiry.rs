//! A token that expires on an open connection: the subscriptions that depended on it end
//! with an `unsubscribed` frame, unless a fresh token came in an `auth` frame first.

use std::time::Duration;

use serde_json::json;

use crate::support::{CHAT, NEWS, Room, Said, Seen, Server, config, registry, token, token_for};

async fn server_without_leeway() -> Server {
    let mut config = config();
    config.token_leeway = Duration::ZERO;
    Server::start(registry(), config).await
}

async fn an_expired_token_ends_the_subscriptions_that_needed_it() {
    let server = server_without_leeway().await;
    let mut client = server.connect_with(Some(&token_for("ada", &[], true, 1))).await;
    assert_eq!(client.subscribe("chat", json!({"room": 13})).await["type"], "ack");
    assert_eq!(client.subscribe("news", json!(null)).await["type"], "ack");

    let ended = loop {
        match client.next().await {
            Seen::Frame(frame) if frame["type"] == "unsubscribed" => break frame,
            Seen::Frame(_) => continue,
            Seen::Closed(code) => panic!("closed ({code:?})"),
        }
    };
    assert_eq!(
        (
            &ended["channel"],
            &ended["params"],
            &ended["error"]["code"],
            &ended["error"]["details"]["reason"]
        ),
        (
            &json!("chat"),
            &json!({"room": 13}),
            &json!("unauthenticated"),
            &json!("expired")
        ),
        "{ended}"
    );
    let publisher = server.mizan.publisher();
    let said = Said {
        user: "s".into(),
        text: "vip only".into(),
    };
    publisher.publish(&CHAT, &Room { room: 13 }, &said).await.unwrap();
    publisher.publish(&NEWS, &(), &"public".to_owned()).await.unwrap();
    assert_eq!(
        client.message().await["data"],
        "public",
        "the public subscription lives on, chat is gone"
    );
    assert_eq!(
        client.subscribe("chat", json!({"room": 13})).await["error"]["code"],
        "forbidden",
        "the connection is anonymous now"
    );

    // A fresh token in an `auth` frame, and the subscription comes back.
    let auth = client
        .request(json!({"type": "auth", "token": token("ada", &[], true)}))
        .await;
    assert_eq!(auth["type"], "ack");
    assert_eq!(client.subscribe("chat", json!({"room": 13})).await["type"], "ack");
}

async fn a_fresh_token_before_expiry_keeps_the_subscriptions() {
    let server = server_without_leeway().await;
    let mut client = server.connect_with(Some(&token_for("ada", &[], true, 1))).await;
    client.subscribe("chat", json!({"room": 13})).await;
    let auth = client
        .request(json!({"type": "auth", "token": token("ada", &[], true)}))
        .await;
    assert_eq!(auth["type"], "ack");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let said = Said {
        user: "s".into(),
        text: "still here".into(),
    };
    server
        .mizan
        .publisher()
        .publish(&CHAT, &Room { room: 13 }, &said)
        .await
        .unwrap();
    let next = client.message().await;
    assert_eq!(
        next["data"]["text"], "still here",
        "no unsubscribed frame came first: {next}"
    );
}

crate::over_both_transports!(
    an_expired_token_ends_the_subscriptions_that_needed_it,
    a_fresh_token_before_expiry_keeps_the_subscriptions,
);

//! The frame protocol: subscribe, messages, client messages, errors, auth, revisions.

use mizan_axum::Limits;
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::{CHAT, NEWS, Room, Said, Seen, Server, config, error_code, registry, token};

async fn subscribe_receive_unsubscribe() {
    let server = Server::default().await;
    let mut client = server.connect().await;
    let ack = client.subscribe("news", json!(null)).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(
        (ack["channel"].as_str(), &ack["params"]),
        (Some("news"), &json!(null))
    );

    let publisher = server.mizan.publisher();
    publisher.publish(&NEWS, &(), &"first".to_owned()).await.unwrap();
    let message = client.message().await;
    assert_eq!(
        message,
        json!({"type": "message", "channel": "news", "params": null, "data": "first"})
    );

    let ack = client
        .request(json!({"type": "unsubscribe", "channel": "news"}))
        .await;
    assert_eq!(ack["type"], "ack");
    client.subscribe("chat", json!({"room": 1})).await;
    publisher
        .publish(&NEWS, &(), &"unheard".to_owned())
        .await
        .unwrap();
    let said = Said {
        user: "server".into(),
        text: "after".into(),
    };
    publisher.publish(&CHAT, &Room { room: 1 }, &said).await.unwrap();
    // Publications reach a connection in order, so the news must have been skipped.
    assert_eq!(client.message().await["data"]["text"], "after");
}

async fn parameterised_topics_are_kept_apart_and_acks_name_the_canonical_topic() {
    let server = Server::default().await;
    let (mut one, mut two) = (server.connect().await, server.connect().await);
    let ack = one.subscribe("chat", json!({"room": 1})).await;
    assert_eq!(
        ack["params"],
        json!({"room": 1}),
        "the ack carries the canonical params"
    );
    two.subscribe("chat", json!({"room": 2})).await;

    let publisher = server.mizan.publisher();
    for room in [1, 2] {
        let said = Said {
            user: "s".into(),
            text: format!("to {room}"),
        };
        publisher.publish(&CHAT, &Room { room }, &said).await.unwrap();
    }
    let got_one = one.message().await;
    assert_eq!(
        (got_one["params"].clone(), got_one["data"]["text"].clone()),
        (json!({"room": 1}), json!("to 1"))
    );
    let got_two = two.message().await;
    assert_eq!(
        got_two["data"]["text"], "to 2",
        "room 2 never sees room 1's message"
    );
}

async fn bidirectional_round_trip_reaches_every_subscriber() {
    let server = Server::default().await;
    let mut alice = server.connect_with(Some(&token("alice", &[], false))).await;
    let mut bob = server.connect().await;
    bob.subscribe("chat", json!({"room": 7})).await;
    alice.subscribe("chat", json!({"room": 7})).await;

    let ack = alice
        .request(json!({"type": "send", "channel": "chat", "params": {"room": 7}, "data": "hi"}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    for client in [&mut alice, &mut bob] {
        let message = client.message().await;
        assert_eq!(message["data"], json!({"user": "alice", "text": "hi"}));
    }

    let wrong = alice
        .request(json!({"type": "send", "channel": "chat", "params": {"room": 7}, "data": 5}))
        .await;
    assert_eq!(error_code(&wrong), "validation_failed", "{wrong}");
}

async fn one_way_channels_reject_client_messages() {
    let server = Server::default().await;
    let mut client = server.connect().await;
    for channel in ["news", "mizan_revisions"] {
        let reply = client
            .request(json!({"type": "send", "channel": channel, "data": "forged"}))
            .await;
        assert_eq!(error_code(&reply), "method_not_allowed", "{reply}");
        assert!(reply["error"]["message"].as_str().unwrap().contains("one-way"));
    }
}

async fn unauthorized_subscribes_are_rejected() {
    let server = Server::default().await;
    let mut anonymous = server.connect().await;
    let reply = anonymous.subscribe("admin_feed", json!(null)).await;
    assert_eq!(error_code(&reply), "unauthenticated", "{reply}");

    let mut user = server.connect_with(Some(&token("u", &["other"], false))).await;
    let reply = user.subscribe("admin_feed", json!(null)).await;
    assert_eq!(error_code(&reply), "forbidden");
    assert!(
        reply["error"]["message"].as_str().unwrap().contains("`admin`"),
        "{reply}"
    );
    let reply = user.subscribe("chat", json!({"room": 13})).await;
    assert_eq!(
        error_code(&reply),
        "forbidden",
        "the authorize hook sees the claims"
    );

    let mut vip = server.connect_with(Some(&token("v", &["admin"], true))).await;
    assert_eq!(vip.subscribe("admin_feed", json!(null)).await["type"], "ack");
    assert_eq!(vip.subscribe("chat", json!({"room": 13})).await["type"], "ack");
}

async fn malformed_frames_are_answered_with_errors_and_the_connection_lives_on() {
    let server = Server::default().await;
    let mut client = server.connect().await;

    client.send_text("{not json").await;
    let Seen::Frame(reply) = client.next().await else {
        panic!("closed")
    };
    assert_eq!((error_code(&reply), &reply["id"]), ("invalid_json", &json!(null)));

    let reply = client.request(json!({"type": "dance"})).await;
    assert_eq!(
        error_code(&reply),
        "bad_request",
        "unknown type, answered with its id"
    );
    let reply = client.request(json!({"type": "subscribe"})).await;
    assert_eq!(error_code(&reply), "bad_request", "missing channel");
    let reply = client.subscribe("nope", json!(null)).await;
    assert_eq!(error_code(&reply), "not_found");
    let reply = client.subscribe("chat", json!({"room": "x"})).await;
    assert_eq!(error_code(&reply), "validation_failed");
    assert_eq!(reply["error"]["fields"][0]["path"], "room", "{reply}");
    let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    client.send_text(deep).await;
    let Seen::Frame(reply) = client.next().await else {
        panic!("closed")
    };
    assert_eq!(error_code(&reply), "too_deep");

    client.send_binary(vec![1, 2, 3]).await;
    let Seen::Frame(reply) = client.next().await else {
        panic!("closed")
    };
    assert_eq!(error_code(&reply), "bad_request");

    assert_eq!(client.request(json!({"type": "ping"})).await["type"], "pong");
}

async fn oversize_frames_get_an_error_then_close_1009() {
    let mut limits = Limits::default();
    limits.channels.max_frame_bytes = 1024;
    let server = Server::start(registry(), config().with_limits(limits)).await;

    let mut client = server.connect().await;
    let big = json!({"type": "ping", "pad": "x".repeat(2000)}).to_string();
    client.send_text(big).await;
    let Seen::Frame(reply) = client.next().await else {
        panic!("closed before the error frame")
    };
    assert_eq!(error_code(&reply), "payload_too_large");
    assert_eq!(client.next().await, Seen::Closed(Some(1009)));

    // Far over the limit: refused by the WebSocket layer itself, same close code.
    let mut client = server.connect().await;
    client.send_text("x".repeat(100_000)).await;
    assert_eq!(client.next().await, Seen::Closed(Some(1009)));
}

async fn oversize_binary_frames_get_the_same_error_and_close_as_text_frames() {
    let mut limits = Limits::default();
    limits.channels.max_frame_bytes = 1024;
    let server = Server::start(registry(), config().with_limits(limits)).await;

    let mut client = server.connect().await;
    client.send_binary(vec![b'x'; 2000]).await;
    let Seen::Frame(reply) = client.next().await else {
        panic!("closed before the error frame")
    };
    assert_eq!(error_code(&reply), "payload_too_large");
    assert_eq!(client.next().await, Seen::Closed(Some(1009)));
}

async fn token_in_first_frame_authenticates_the_connection() {
    let server = Server::default().await;
    let mut client = server.connect().await;
    let reply = client
        .request(json!({"type": "auth", "token": "mwt1.bogus"}))
        .await;
    assert_eq!(error_code(&reply), "unauthenticated");
    assert!(reply["error"]["details"]["reason"].is_string(), "{reply}");

    let ack = client
        .request(json!({"type": "auth", "token": token("root", &["admin"], false)}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(client.subscribe("admin_feed", json!(null)).await["type"], "ack");
}

#[tokio::test]
async fn a_bad_bearer_token_or_a_plain_request_is_refused_before_the_upgrade() {
    let server = Server::default().await;
    let mut request = server.ws_url().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", "Bearer mwt1.nope".parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("expected a 401, got {other:?}"),
    }

    let plain = reqwest::get(format!("http://{}/mizan/ws", server.addr))
        .await
        .unwrap();
    assert_eq!(plain.status(), 400);
    let body: serde_json::Value = plain.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
}

#[tokio::test]
async fn cookie_authenticated_connections_must_come_from_the_same_origin() {
    let server = Server::default().await;
    let connect = |origin: &'static str| {
        let mut request = server.ws_url().into_client_request().unwrap();
        let headers = request.headers_mut();
        headers.insert(
            "cookie",
            format!("mizan_token={}", token("c", &[], false)).parse().unwrap(),
        );
        headers.insert("origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(request)
    };
    match connect("https://evil.example").await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!("expected a 403, got {other:?}"),
    }
    let own = Box::leak(format!("http://{}", server.addr).into_boxed_str());
    assert!(connect(own).await.is_ok());
}

async fn purge_announces_the_new_revisions() {
    let server = Server::default().await;
    let mut client = server.connect().await;
    assert_eq!(
        client.subscribe("mizan_revisions", json!(null)).await["type"],
        "ack"
    );

    let purged = server.mizan.purge(["posts", "users"]).await;
    assert_eq!(purged.len(), 2);
    let message = client.message().await;
    assert_eq!(message["channel"], "mizan_revisions");
    assert_eq!(message["data"], json!({"revisions": purged}));
}

/// `liveRevisions` needs no step of the app's: with no `Channels` extension registered,
/// the schema still lists the system channel and the socket still serves it.
async fn the_revisions_channel_needs_no_channels_extension() {
    let mut registry = mizan_core::Registry::new();
    registry.register(
        mizan_core::ServerFunction::query("posts")
            .cache(mizan_core::CachePolicy::public())
            .handler(|_: mizan_core::Ctx, _: ()| async { Ok::<_, mizan_core::FunctionError>(0) }),
    );
    let schema = registry.get_schema();
    assert_eq!(schema["channels"]["mizan_revisions"]["bidirectional"], false);
    assert_eq!(schema["channels"].as_object().map(|c| c.len()), Some(1));

    let server = Server::start(registry, config()).await;
    let mut client = server.connect().await;
    assert_eq!(
        client.subscribe("mizan_revisions", json!(null)).await["type"],
        "ack"
    );
    let purged = server.mizan.purge(["posts"]).await;
    assert_eq!(client.message().await["data"], json!({"revisions": purged}));
}

async fn function_handlers_publish_through_the_state() {
    let server = Server::default().await;
    let mut client = server.connect().await;
    client.subscribe("news", json!(null)).await;
    let reply = reqwest::Client::new()
        .post(format!("http://{}/mizan/call/post_news", server.addr))
        .json(&json!("extra!"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(client.message().await["data"], "extra!");
}

async fn middleware_runs_around_channel_sends() {
    use mizan_core::executor::{Next, Target, middleware_fn};
    use mizan_core::{Ctx, ErrorCode, FunctionError};

    // Refuses sends from a muted handshake, which it reads from the request parts.
    let mute = middleware_fn(|ctx: Ctx, next: Next| async move {
        let muted = ctx.request().header("x-muted") == Some("yes");
        if muted && *next.target() == Target::ChannelSend("chat".into()) {
            return Err(FunctionError::from_code(ErrorCode::Forbidden, "muted"));
        }
        next.run(ctx).await
    });
    let server = Server::start(registry(), config().with_middleware(mute)).await;
    let send = json!({"type": "send", "channel": "chat", "params": {"room": 7}, "data": "hi"});

    let mut muted = server.connect_headers(&[("x-muted", "yes")]).await;
    assert_eq!(muted.subscribe("chat", json!({"room": 7})).await["type"], "ack");
    let reply = muted.request(send.clone()).await;
    assert_eq!(error_code(&reply), "forbidden", "{reply}");

    let mut speaker = server.connect().await;
    assert_eq!(speaker.request(send).await["type"], "ack");
    assert_eq!(muted.message().await["data"]["text"], "hi");
}

#[tokio::test]
async fn open_connections_and_subscriptions_are_counted() {
    let server = Server::default().await;
    let gauges = || {
        let snapshot = server.mizan.metrics().snapshot();
        (snapshot.ws_open, snapshot.ws_subscriptions)
    };
    let mut one = server.connect().await;
    let mut two = server.connect().await;
    one.subscribe("news", json!(null)).await;
    one.subscribe("chat", json!({"room": 1})).await;
    two.subscribe("chat", json!({"room": 1})).await;
    assert_eq!(gauges(), (2, 3));
    one.request(json!({"type": "unsubscribe", "channel": "news"}))
        .await;
    assert_eq!(gauges(), (2, 2));

    // A closed connection takes its subscriptions with it, once the server has seen it go.
    two.close().await;
    for _ in 0..200 {
        if gauges() == (1, 1) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(gauges(), (1, 1));
    assert_eq!(server.mizan.metrics().snapshot().ws_connections, 2);
}

crate::over_both_transports!(
    subscribe_receive_unsubscribe,
    parameterised_topics_are_kept_apart_and_acks_name_the_canonical_topic,
    bidirectional_round_trip_reaches_every_subscriber,
    one_way_channels_reject_client_messages,
    unauthorized_subscribes_are_rejected,
    malformed_frames_are_answered_with_errors_and_the_connection_lives_on,
    oversize_frames_get_an_error_then_close_1009,
    oversize_binary_frames_get_the_same_error_and_close_as_text_frames,
    token_in_first_frame_authenticates_the_connection,
    purge_announces_the_new_revisions,
    the_revisions_channel_needs_no_channels_extension,
    function_handlers_publish_through_the_state,
    middleware_runs_around_channel_sends,
);

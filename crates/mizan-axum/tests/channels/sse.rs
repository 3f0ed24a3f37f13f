//! What only the SSE transport has: its sessions, the auth of its two routes, and
//! `Last-Event-ID`, which resumes a stream where the last one stopped.

use serde_json::{Value, json};

use crate::support::{Server, SseStream, Transport, publish_feed, token};

async fn sse_client(server: &Server) -> crate::support::Client {
    Transport::Sse.run_value(server.connect()).await
}

#[tokio::test]
async fn a_stream_resumes_from_its_last_event_id() {
    let server = Server::default().await;
    let mut client = sse_client(&server).await;
    client.subscribe_feed(None).await;
    publish_feed(&server, 0..3).await;
    assert_eq!(client.offsets(3).await, vec![(1, 0), (2, 1), (3, 2)]);
    let last = client
        .sse()
        .last_event_id
        .clone()
        .expect("message events carry an id");
    let point: Value = serde_json::from_str(&last).unwrap();
    assert_eq!(
        (&point["channel"], &point["params"], &point["offset"]),
        (&json!("feed"), &json!(null), &json!(3)),
        "{last}"
    );
    drop(client);

    publish_feed(&server, 3..5).await;
    // A new stream with the last id: the subscribe needs no `since`.
    let request = reqwest::Client::new()
        .get(server.sse_url())
        .header("last-event-id", &last);
    let mut client = Transport::Sse
        .run_value(async { crate::support::Client::from_sse(SseStream::open(request).await) })
        .await;
    let ack = client.subscribe_feed(None).await;
    assert_eq!(ack["recovered"], true, "{ack}");
    assert_eq!(client.offsets(2).await, vec![(4, 3), (5, 4)]);
}

#[tokio::test]
async fn the_routes_check_their_input_and_auth_like_the_others() {
    let server = Server::default().await;
    let http = reqwest::Client::new();
    let status = |request: reqwest::RequestBuilder| async move { request.send().await.unwrap().status() };

    let bad_bearer = http.get(server.sse_url()).bearer_auth("mwt1.nope");
    assert_eq!(status(bad_bearer).await, 401);
    let bad_resume = http.get(server.sse_url()).header("last-event-id", "17");
    assert_eq!(status(bad_resume).await, 400);

    // A cookie-authenticated stream from another origin, without the CSRF header.
    let cookie = format!("mizan_token={}", token("c", &[], false));
    let cross = http
        .get(server.sse_url())
        .header("cookie", &cookie)
        .header("origin", "https://evil.example");
    assert_eq!(status(cross).await, 403);

    let unknown = http.post(format!("{}/00", server.sse_url())).body("{}");
    assert_eq!(status(unknown).await, 404);

    // A session's frames may not ride on a cookie without the CSRF header.
    let client = sse_client(&server).await;
    let url = client.sse().post_url().to_owned();
    let forged = http
        .post(&url)
        .header("cookie", &cookie)
        .body(r#"{"type":"ping"}"#);
    assert_eq!(status(forged).await, 403);
    let with_csrf = http
        .post(&url)
        .header("cookie", &cookie)
        .header("x-mizan-csrf", "1")
        .body(r#"{"type":"ping"}"#);
    assert_eq!(status(with_csrf).await, 202);
}

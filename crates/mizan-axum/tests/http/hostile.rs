//! What a hostile client tries at the HTTP layer that the adapter itself must bound.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use mizan_axum::Limits;

use crate::support::{Server, config, registry};

#[tokio::test]
async fn a_trickled_body_is_cut_off_at_the_body_timeout() {
    let mut limits = Limits::default();
    limits.body_timeout = Duration::from_millis(300);
    let server = Server::start(registry(), config().with_limits(limits)).await;
    let addr = server
        .base
        .strip_prefix("http://")
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    // A body announced as 100 bytes, of which one arrives (slowloris).
    socket
        .write_all(b"POST /mizan/call/echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n[")
        .await
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut chunk = [0; 1024];
    while !String::from_utf8_lossy(&answer).contains("}}") {
        let read = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut chunk))
            .await
            .expect("an answer before the test's own timeout")
            .unwrap();
        assert!(
            read > 0,
            "closed without an answer: {}",
            String::from_utf8_lossy(&answer)
        );
        answer.extend_from_slice(&chunk[..read]);
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains(r#""code":"bad_request""#) && answer.contains("body_timeout"),
        "{answer}"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "answered before the timeout"
    );
}

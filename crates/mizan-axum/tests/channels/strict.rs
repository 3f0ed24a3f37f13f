//! Frames are read as strictly as every other input (§1.1): a frame text without a
//! canonical form is `invalid_json` with its reason, and the connection lives on.

use serde_json::json;

use crate::support::{Seen, Server, error_code};

#[tokio::test]
async fn frames_without_a_canonical_form_are_invalid_json() {
    let server = Server::default().await;
    let mut client = server.connect().await;
    let cases = [
        (
            r#"{"type":"subscribe","id":1,"channel":"news","channel":"chat","params":{"room":1}}"#,
            "duplicate_key",
        ),
        (
            r#"{"type":"send","id":2,"channel":"chat","params":{"room":1},"data":"\ud800"}"#,
            "lone_surrogate",
        ),
        (r#"{"type":"ping","id":1e400}"#, "number_out_of_range"),
    ];
    for (text, reason) in cases {
        client.send_text(text).await;
        let Seen::Frame(reply) = client.next().await else {
            panic!("closed after {text}")
        };
        assert_eq!(error_code(&reply), "invalid_json", "{text} -> {reply}");
        assert_eq!(reply["error"]["details"]["reason"], reason, "{text} -> {reply}");
        assert_eq!(reply["id"], json!(null), "an unread frame has no id");
    }
    // Still open, and a well-formed frame is answered.
    let pong = client.request(json!({"type": "ping"})).await;
    assert_eq!(pong["type"], "pong");
}

//! The demo over real HTTP on a loopback port: cookie sign-in (HttpOnly cookie, the CSRF
//! rule, logout), the middleware (`load_viewer`, `audit`), and a database failure answered
//! as `internal` without a word of its cause.

use std::path::PathBuf;
use std::time::Duration;

use demo::db::Db;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

/// A data directory removed when the test ends.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("mizan-demo-http-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The demo's app on an ephemeral loopback port, with its database.
struct Server {
    base: String,
    db: Db,
    http: Client,
    _dir: TempDir,
}

const TTL: Duration = Duration::from_secs(120);

impl Server {
    async fn start(name: &str) -> Self {
        let dir = TempDir::new(name);
        let db = Db::open_sqlite(&dir.0).await.unwrap();
        let config = demo::config(db.clone(), TTL).await.unwrap();
        let mizan = mizan::axum::Mizan::new(demo::registry(), config).unwrap();
        let app = demo::app(&mizan, &dir.0.join("no-web"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/mizan", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base,
            db,
            http: Client::new(),
            _dir: dir,
        }
    }

    /// `POST /call/{function}`, with the sign-in cookie and the CSRF header when given.
    async fn call(&self, function: &str, input: Value, cookie: Option<&str>, csrf: bool) -> Response {
        let mut request = self
            .http
            .post(format!("{}/call/{function}", self.base))
            .json(&input);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        if csrf {
            request = request.header("x-mizan-csrf", "1");
        }
        request.send().await.unwrap()
    }

    /// Signs `user` in; the `name=value` of the cookie the server set, and its attributes.
    async fn sign_in(&self, user: &str) -> (String, String) {
        let reply = self
            .call(
                "mizan.token",
                json!({"user": user, "password": "mizan"}),
                None,
                true,
            )
            .await;
        assert_eq!(reply.status(), StatusCode::OK);
        let set_cookie = set_cookies(&reply).pop().expect("a Set-Cookie");
        let body: Value = reply.json().await.unwrap();
        assert_eq!(body["data"]["user_id"], user);
        assert!(
            body["data"].get("token").is_none(),
            "the token stays out of the body: {body}"
        );
        let pair = set_cookie.split(';').next().unwrap().trim().to_owned();
        (pair, set_cookie)
    }

    async fn audit_rows(&self) -> Vec<(Option<String>, String, String)> {
        let rows = sqlx::query("SELECT user_id, function, outcome FROM audit ORDER BY id")
            .fetch_all(self.db.pool())
            .await
            .unwrap();
        rows.iter()
            .map(|row| {
                use sqlx::Row;
                (row.get("user_id"), row.get("function"), row.get("outcome"))
            })
            .collect()
    }
}

fn set_cookies(reply: &Response) -> Vec<String> {
    reply
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

async fn body(reply: Response) -> (StatusCode, Value) {
    let status = reply.status();
    (status, reply.json().await.unwrap())
}

#[tokio::test]
async fn sign_in_sets_an_http_only_cookie_that_calls_use_and_logout_clears() {
    let server = Server::start("cookie").await;
    let (cookie, attributes) = server.sign_in("member").await;
    assert!(cookie.starts_with("mizan_token="), "{attributes}");
    for attribute in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/mizan",
        &format!("Max-Age={}", TTL.as_secs()),
    ] {
        assert!(
            attributes.contains(attribute),
            "{attribute} missing: {attributes}"
        );
    }

    // The cookie authenticates; `me` reads the record `load_viewer` loaded from the table.
    let (status, me) = body(server.call("me", json!(null), Some(&cookie), false).await).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["data"]["display_name"], "Max Member");

    // A mutation with the cookie but without the CSRF header (a forged cross-site form).
    let comment = json!({"post_id": 1, "body": "Forged?"});
    let (status, refused) = body(
        server
            .call("add_comment", comment.clone(), Some(&cookie), false)
            .await,
    )
    .await;
    assert_eq!(
        (status, &refused["error"]["code"]),
        (StatusCode::FORBIDDEN, &json!("csrf_failed"))
    );
    let (status, _) = body(server.call("add_comment", comment, Some(&cookie), true).await).await;
    assert_eq!(status, StatusCode::OK);

    let reply = server
        .call("mizan.logout", json!(null), Some(&cookie), true)
        .await;
    assert_eq!(reply.status(), StatusCode::OK);
    let cleared = set_cookies(&reply).pop().expect("a clearing Set-Cookie");
    assert!(
        cleared.starts_with("mizan_token=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    // The browser drops the cookie: the next member-only call is anonymous, and refused.
    let (status, anonymous) = body(server.call("me", json!(null), None, false).await).await;
    assert_eq!(
        (status, &anonymous["error"]["code"]),
        (StatusCode::UNAUTHORIZED, &json!("unauthenticated"))
    );
}

#[tokio::test]
async fn the_refresh_renews_the_cookie() {
    let server = Server::start("refresh").await;
    let (cookie, _) = server.sign_in("admin").await;
    let reply = server
        .call("mizan.refresh", json!(null), Some(&cookie), true)
        .await;
    let renewed = set_cookies(&reply).pop().expect("a renewed Set-Cookie");
    let (status, issued) = body(reply).await;
    assert_eq!(
        (status, &issued["data"]["user_id"]),
        (StatusCode::OK, &json!("admin"))
    );
    let renewed = renewed.split(';').next().unwrap();
    let (status, _) = body(server.call("me", json!(null), Some(renewed), false).await).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn every_mutation_leaves_an_audit_row_with_its_outcome() {
    let server = Server::start("audit").await;
    let (member, _) = server.sign_in("member").await;
    let (status, _) = body(
        server
            .call(
                "add_comment",
                json!({"post_id": 1, "body": "Audited."}),
                Some(&member),
                true,
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // The seeded post 1 is the admin's: the member may not edit it (a typed error).
    let edit = json!({"post_id": 1, "title": "Taken over", "body": "Not my post at all.", "draft": false});
    let (status, refused) = body(server.call("edit_post", edit, Some(&member), true).await).await;
    assert_eq!(
        (status, &refused["error"]["code"]),
        (StatusCode::FORBIDDEN, &json!("not_yours"))
    );
    let post = json!({"board_id": 1, "title": "An audited post", "body": "Written over HTTP."});
    let (status, _) = body(server.call("new_post.submit", post, Some(&member), true).await).await;
    assert_eq!(status, StatusCode::OK);
    // Queries are not audited.
    let (status, _) = body(
        server
            .call("board_posts", json!({"board_id": 1}), Some(&member), false)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let member = Some("member".to_owned());
    assert_eq!(
        server.audit_rows().await,
        [
            (member.clone(), "add_comment".to_owned(), "ok".to_owned()),
            (member.clone(), "edit_post".to_owned(), "not_yours".to_owned()),
            (member, "new_post.submit".to_owned(), "ok".to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_database_failure_is_internal_and_tells_nothing_of_its_cause() {
    let server = Server::start("failure").await;
    sqlx::query("DROP TABLE comments")
        .execute(server.db.pool())
        .await
        .unwrap();
    let reply = server
        .call("post_detail", json!({"post_id": 1}), None, false)
        .await;
    let status = reply.status();
    let text = reply.text().await.unwrap();
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{text}");
    let envelope: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(envelope["error"]["code"], "internal");
    for leak in ["comments", "table", "sqlite", "SELECT", "no such"] {
        assert!(
            !text.to_lowercase().contains(&leak.to_lowercase()),
            "leaks {leak:?}: {text}"
        );
    }
}

//! The demo's functions in process, on a SQLite file in a temp dir. The browser tests
//! (examples/demo/web/test, run by scripts/test-demo) cover the same app over HTTP; these
//! pin the server's rules where a failure is quickest to read.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use demo::db::Db;
use demo::users::user;
use mizan::{FunctionError, Identity, RequestContext, State};
use serde_json::{Value, json};

/// A data directory removed when the test ends.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("mizan-demo-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A call by the seeded user `name` (or an anonymous one) on `db`.
fn ctx(db: &Db, name: Option<&str>) -> RequestContext {
    let identity = name.map(|name| {
        let user = user(name).expect("a seeded user");
        Arc::new(Identity {
            user_id: user.name.to_owned(),
            permission_key: String::new(),
            permissions: user
                .permissions
                .iter()
                .map(|p| (*p).to_owned())
                .collect::<BTreeSet<_>>(),
            claims: Default::default(),
        })
    });
    RequestContext::new(identity, Arc::new(State::new().with(db.clone())))
}

async fn call(db: &Db, who: Option<&str>, function: &str, input: Value) -> Result<Value, FunctionError> {
    let registry = demo::registry();
    let f = registry.get_function(function).expect("registered");
    let out = f.call(ctx(db, who), input).await?;
    Ok(serde_json::from_str(out.get()).unwrap())
}

#[test]
fn the_registry_is_valid() {
    demo::registry().validate_registry().expect("valid");
    let schema = demo::registry().get_schema();
    assert_eq!(
        schema["functions"]["new_post.submit"]["invalidates"],
        json!(["posts"])
    );
    assert_eq!(schema["forms"]["new_post"]["submit"], "new_post.submit");
    assert_eq!(
        schema["compositions"]["dashboard"]["members"],
        json!(["list_public_boards", "member_boards", "my_drafts"])
    );
}

#[tokio::test]
async fn a_taken_title_is_a_typed_error_naming_the_title_field() {
    let dir = TempDir::new("title");
    let db = Db::open_sqlite(&dir.0).await.unwrap();
    let post = json!({"board_id": 1, "title": "Welcome to the board", "body": "Once more, with feeling."});
    let err = call(&db, Some("member"), "new_post.submit", post)
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.status()), ("title_taken", 409));
    assert_eq!(
        err.details(),
        Some(&json!({"kind": "title_taken", "field": "title", "title": "Welcome to the board"}))
    );
    // The same title on another board is free.
    let post = json!({"board_id": 2, "title": "Welcome to the board", "body": "Once more, with feeling."});
    let written = call(&db, Some("member"), "new_post.submit", post).await.unwrap();
    assert_eq!(written["author"], "member");
}

#[tokio::test]
async fn members_only_boards_are_not_found_for_everyone_else() {
    let dir = TempDir::new("members");
    let db = Db::open_sqlite(&dir.0).await.unwrap();
    for who in [None, Some("guest")] {
        let err = call(&db, who, "board_posts", json!({"board_id": 3}))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "not_found", "{who:?}");
        let err = call(&db, who, "post_detail", json!({"post_id": 3}))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "not_found", "{who:?}");
    }
    let page = call(&db, Some("member"), "board_posts", json!({"board_id": 3}))
        .await
        .unwrap();
    assert_eq!(page["posts"][0]["title"], "Secret roadmap");
}

#[tokio::test]
async fn drafts_are_their_authors_only() {
    let dir = TempDir::new("drafts");
    let db = Db::open_sqlite(&dir.0).await.unwrap();
    let draft = json!({"board_id": 1, "title": "Not yet", "body": "Still thinking about it.", "draft": true});
    let written = call(&db, Some("member"), "new_post.submit", draft).await.unwrap();
    let comment = json!({"post_id": written["id"], "body": "Guessed its id."});
    let err = call(&db, Some("admin"), "add_comment", comment)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
    let mine = call(&db, Some("member"), "my_drafts", Value::Null).await.unwrap();
    assert_eq!(mine[0]["title"], "Not yet");
    assert_eq!(
        call(&db, Some("admin"), "my_drafts", Value::Null).await.unwrap(),
        json!([])
    );
    let board = call(&db, None, "board_posts", json!({"board_id": 1}))
        .await
        .unwrap();
    assert!(!board.to_string().contains("Not yet"));
}

#[tokio::test]
async fn reopening_the_database_keeps_what_was_written() {
    let dir = TempDir::new("reopen");
    let db = Db::open_sqlite(&dir.0).await.unwrap();
    let post = json!({"board_id": 2, "title": "Version 0.2", "body": "Everything from before, kept."});
    call(&db, Some("admin"), "new_post.submit", post).await.unwrap();
    db.pool().close().await;
    // Migrations run again on open, and must neither fail nor seed twice.
    let db = Db::open_sqlite(&dir.0).await.unwrap();
    let board = call(&db, None, "board_posts", json!({"board_id": 2}))
        .await
        .unwrap();
    let titles: Vec<&str> = board["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Version 0.2", "Version 0.1"]);
}

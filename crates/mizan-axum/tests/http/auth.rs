//! MWT authentication (bearer and cookie), CSRF for cookie-authenticated mutations, and the
//! built-in token functions.

use mizan_core::{Claims, Ctx, ErrorCode, FunctionError, Keyring, Principal, auth::token_functions};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::support::{SIGNING_KEY, Server, config, now, registry, token, token_with};

fn reason(reply: &crate::support::Reply) -> &str {
    reply.body["error"]["details"]["reason"]
        .as_str()
        .unwrap_or("<none>")
}

#[tokio::test]
async fn a_valid_token_identifies_the_caller() {
    let server = Server::default().await;
    let reply = server.call("mine", json!(null), Some(&token("ada", &[]))).await;
    assert_eq!(reply.body["data"], json!({"user": "ada"}));
}

#[tokio::test]
async fn missing_expired_forged_and_unknown_kid_tokens_are_401() {
    let server = Server::default().await;
    let reply = server.call("mine", json!(null), None).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (401, "unauthenticated"));

    let ring = Keyring::new("k1", SIGNING_KEY).unwrap();
    let expired = token_with(&ring, "ada", &[], now() - 7200, now() - 3600);
    let reply = server.call("mine", json!(null), Some(&expired)).await;
    assert_eq!((reply.status.as_u16(), reason(&reply)), (401, "expired"));

    let forged = token_with(
        &Keyring::new("k1", b"not the server's key").unwrap(),
        "ada",
        &[],
        now(),
        now() + 60,
    );
    let reply = server.call("mine", json!(null), Some(&forged)).await;
    assert_eq!((reply.status.as_u16(), reason(&reply)), (401, "bad_signature"));

    let other_kid = token_with(
        &Keyring::new("k9", SIGNING_KEY).unwrap(),
        "ada",
        &[],
        now(),
        now() + 60,
    );
    let reply = server.call("mine", json!(null), Some(&other_kid)).await;
    assert_eq!((reply.status.as_u16(), reason(&reply)), (401, "unknown_kid"));

    // An invalid token fails even a public function: the client must learn its token is bad.
    let reply = server.call("echo", json!(1), Some("mwt1.garbage")).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (401, "unauthenticated"));
    let reply = server
        .send(
            server
                .request(Method::POST, "/call/echo")
                .header("authorization", "Basic abc"),
        )
        .await;
    assert_eq!((reply.status.as_u16(), reason(&reply)), (401, "malformed"));
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive_as_at_the_edge() {
    let server = Server::default().await;
    let token = token("ada", &[]);
    for (header, identified) in [
        (format!("BEARER {token}"), true),
        (format!("bEaReR   {token}"), true),
        (format!("Bearer\t{token}"), false),
        (format!("Bearer {token} extra"), false),
    ] {
        let reply = server
            .send(
                server
                    .request(Method::POST, "/call/mine")
                    .header("authorization", &header),
            )
            .await;
        if identified {
            assert_eq!(reply.body["data"], json!({"user": "ada"}), "{header}");
        } else {
            assert_eq!(
                (reply.status.as_u16(), reason(&reply)),
                (401, "malformed"),
                "{header}"
            );
        }
    }
}

#[tokio::test]
async fn a_pk_that_does_not_match_perms_is_rejected() {
    let server = Server::default().await;
    let ring = Keyring::new("k1", SIGNING_KEY).unwrap();
    // Claims say "admin" but carry the permission key of the empty set.
    let pk = mizan_core::permission_key(crate::support::CACHE_SECRET, []);
    let lying = ring
        .issue(Claims::new("eve", pk, now(), now() + 60).with_perms(["admin"]))
        .unwrap();
    let reply = server.call("by_perms", json!(null), Some(&lying)).await;
    assert_eq!((reply.status.as_u16(), reason(&reply)), (401, "invalid_claims"));
}

#[tokio::test]
async fn cookie_tokens_need_the_csrf_header_for_mutations_only() {
    let server = Server::default().await;
    let cookie = format!("theme=dark; mizan_token={}", token("ada", &[]));
    let reply = server
        .send(
            server
                .request(Method::POST, "/call/mine")
                .header("cookie", &cookie),
        )
        .await;
    assert_eq!(
        reply.body["data"],
        json!({"user": "ada"}),
        "queries need no CSRF header"
    );

    let reply = server
        .send(
            server
                .request(Method::POST, "/call/write")
                .header("cookie", &cookie),
        )
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (403, "csrf_failed"));
    // Inside a batch the mutation fails alone.
    let reply = server
        .send(
            server
                .request(Method::POST, "/batch")
                .header("cookie", &cookie)
                .json(&json!({"calls": [
                    {"fn": "write"}, {"fn": "mine"}
                ]})),
        )
        .await;
    assert_eq!(reply.body["results"][0]["error"]["code"], "csrf_failed");
    assert_eq!(reply.body["results"][1]["data"], json!({"user": "ada"}));

    let reply = server
        .send(
            server
                .request(Method::POST, "/call/write")
                .header("cookie", &cookie)
                .header("x-mizan-csrf", "1"),
        )
        .await;
    assert_eq!(reply.body, json!({"data": "written"}));
    // Bearer tokens are not sent automatically by browsers, so they need no CSRF header.
    let reply = server.call("write", json!(null), Some(&token("ada", &[]))).await;
    assert_eq!(reply.body, json!({"data": "written"}));
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Login {
    user: String,
    password: String,
}

async fn check(_: Ctx, login: Login) -> Result<Principal, FunctionError> {
    if login.password != "right" {
        return Err(FunctionError::from_code(
            ErrorCode::Unauthenticated,
            "wrong password",
        ));
    }
    Ok(Principal {
        user_id: login.user,
        permissions: vec!["admin".into()],
    })
}

#[tokio::test]
async fn token_functions_issue_and_refresh_working_tokens() {
    let mut registry = registry();
    for f in token_functions(check) {
        registry.register(f);
    }
    let server = Server::start(registry, config()).await;
    let reply = server
        .call("mizan.token", json!({"user": "ada", "password": "wrong"}), None)
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (401, "unauthenticated"));

    let reply = server
        .call("mizan.token", json!({"user": "ada", "password": "right"}), None)
        .await;
    let issued = &reply.body["data"];
    assert_eq!(issued["user_id"], "ada");
    assert!(issued["expires_at"].as_u64().unwrap() > now());
    let token = issued["token"].as_str().unwrap().to_owned();
    let reply = server.call("admin_only", json!(null), Some(&token)).await;
    assert_eq!(reply.body["data"], "secret");

    let reply = server.call("mizan.refresh", json!(null), Some(&token)).await;
    let fresh = reply.body["data"]["token"].as_str().unwrap();
    let reply = server.call("admin_only", json!(null), Some(fresh)).await;
    assert_eq!(reply.body["data"], "secret");
    let reply = server.call("mizan.refresh", json!(null), None).await;
    assert_eq!(reply.code(), "unauthenticated");
}

#[tokio::test]
async fn a_token_the_verifier_would_refuse_is_never_issued() {
    let mut registry = registry();
    for f in token_functions(check) {
        registry.register(f);
    }
    let server = Server::start(registry, config()).await;
    // The longest user id whose token still fits works on later calls...
    let fits = "a".repeat(2800);
    let reply = server
        .call("mizan.token", json!({"user": fits, "password": "right"}), None)
        .await;
    let token = reply.body["data"]["token"].as_str().expect("issued").to_owned();
    let reply = server.call("mine", json!(null), Some(&token)).await;
    assert_eq!(reply.body["data"]["user"], fits);
    // ...and one past the limit is refused at sign-in, not on every call after it.
    let reply = server
        .call(
            "mizan.token",
            json!({"user": "a".repeat(4000), "password": "right"}),
            None,
        )
        .await;
    assert_eq!(
        (reply.status.as_u16(), reply.code()),
        (429, "limit_exceeded"),
        "{}",
        reply.body
    );
}

//! MWT authentication (bearer and cookie), CSRF for cookie-authenticated mutations, and the
//! built-in token functions.

use mizan_core::auth::{TokenFunctions, token_functions};
use mizan_core::{Claims, Ctx, ErrorCode, FunctionError, Keyring, Principal};
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

fn cookie_server_registry(refresh: Option<TokenFunctions>) -> mizan_core::Registry {
    let mut registry = registry();
    for f in refresh.unwrap_or_else(|| TokenFunctions::new(check)).build() {
        registry.register(f);
    }
    registry
}

/// The `Set-Cookie` values of a reply.
fn set_cookies(reply: &crate::support::Reply) -> Vec<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The token in a `mizan_token=...; ...` value.
fn cookie_token(set_cookie: &str) -> &str {
    let (pair, _) = set_cookie.split_once(';').unwrap();
    pair.strip_prefix("mizan_token=").unwrap()
}

async fn login(server: &Server, host: Option<&str>) -> crate::support::Reply {
    let mut request = server
        .request(Method::POST, "/call/mizan.token")
        .json(&json!({"user": "ada", "password": "right"}));
    if let Some(host) = host {
        request = request.header("host", host);
    }
    server.send(request).await
}

#[tokio::test]
async fn cookie_sign_in_sets_an_http_only_cookie() {
    let server = Server::start(cookie_server_registry(None), config().with_cookie_sign_in()).await;
    let reply = login(&server, None).await;
    assert_eq!(reply.status.as_u16(), 200, "{:?}", reply.body);
    // The token is not in the answer, where a script could read it.
    assert!(reply.body["data"].get("token").is_none(), "{:?}", reply.body);
    assert_eq!(reply.body["data"]["user_id"], "ada");
    let cookies = set_cookies(&reply);
    assert_eq!(cookies.len(), 1);
    let attributes: Vec<&str> = cookies[0].split("; ").skip(1).collect();
    // Over loopback (a development server on plain HTTP) the cookie is not `Secure`.
    assert_eq!(
        attributes,
        ["HttpOnly", "SameSite=Lax", "Path=/mizan", "Max-Age=900"]
    );

    // Anywhere else it is.
    let reply = login(&server, Some("app.example")).await;
    assert!(
        set_cookies(&reply)[0].contains("; Secure"),
        "{:?}",
        set_cookies(&reply)
    );
}

#[tokio::test]
async fn the_cookie_authenticates_writes_need_csrf_and_logout_clears_it() {
    let server = Server::start(cookie_server_registry(None), config().with_cookie_sign_in()).await;
    let token = cookie_token(&set_cookies(&login(&server, None).await)[0]).to_owned();
    let with_cookie = |method, path: &str| {
        server
            .request(method, path)
            .header("cookie", format!("mizan_token={token}"))
    };
    let reply = server.send(with_cookie(Method::GET, "/call/admin_only")).await;
    assert_eq!(reply.body["data"], "secret");

    // A write with the cookie needs the CSRF header.
    let reply = server
        .send(with_cookie(Method::POST, "/call/mizan.refresh"))
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (403, "csrf_failed"));

    // Refresh renews the cookie, which works as the first did.
    let reply = server
        .send(with_cookie(Method::POST, "/call/mizan.refresh").header("x-mizan-csrf", "1"))
        .await;
    assert_eq!(reply.status.as_u16(), 200, "{:?}", reply.body);
    let renewed = set_cookies(&reply);
    assert!(renewed[0].contains("; HttpOnly; SameSite=Lax; Path=/mizan; Max-Age=900"));
    let fresh = cookie_token(&renewed[0]);
    let reply = server
        .send(
            server
                .request(Method::GET, "/call/admin_only")
                .header("cookie", format!("mizan_token={fresh}")),
        )
        .await;
    assert_eq!(reply.body["data"], "secret");

    // Logout clears it: an empty value that expires now, on the same path.
    let reply = server
        .send(with_cookie(Method::POST, "/call/mizan.logout").header("x-mizan-csrf", "1"))
        .await;
    assert_eq!(reply.body, json!({"data": null}));
    assert_eq!(
        set_cookies(&reply),
        ["mizan_token=; HttpOnly; SameSite=Lax; Path=/mizan; Max-Age=0"]
    );
}

#[tokio::test]
async fn bearer_mode_answers_the_token_and_sets_no_cookie() {
    let server = Server::start(cookie_server_registry(None), config()).await;
    let reply = login(&server, None).await;
    assert!(reply.body["data"]["token"].is_string());
    assert!(set_cookies(&reply).is_empty());
    let reply = server.call("mizan.logout", json!(null), None).await;
    assert_eq!(
        (reply.body.clone(), set_cookies(&reply).len()),
        (json!({"data": null}), 0)
    );
}

#[tokio::test]
async fn refresh_reloads_or_refuses_the_principal() {
    let functions = TokenFunctions::new(check).on_refresh(|_: Ctx, token: Principal| async move {
        if token.user_id == "gone" {
            return Err(FunctionError::from_code(
                ErrorCode::Unauthenticated,
                "no such user",
            ));
        }
        // The user lost `admin` since the token was issued.
        Ok(Principal {
            permissions: vec!["reader".into()],
            ..token
        })
    });
    let server = Server::start(cookie_server_registry(Some(functions)), config()).await;
    let old = token("ada", &["admin"]);
    let reply = server.call("mizan.refresh", json!(null), Some(&old)).await;
    let fresh = reply.body["data"]["token"].as_str().unwrap().to_owned();
    let reply = server.call("by_perms", json!(null), Some(&fresh)).await;
    assert_eq!(reply.body["data"]["perms"], json!(["reader"]));
    let reply = server.call("admin_only", json!(null), Some(&fresh)).await;
    assert_eq!(reply.code(), "forbidden");

    let reply = server
        .call("mizan.refresh", json!(null), Some(&token("gone", &["admin"])))
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (401, "unauthenticated"));
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

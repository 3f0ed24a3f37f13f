//! What handlers see of the request (`ctx.request()`), what they add to the response
//! (`ctx.response()`, never cached), and middleware around calls, batch and composition
//! members.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::Request;
use mizan_core::executor::{Middleware, Next, middleware_fn};
use mizan_core::{CachePolicy, Cookie, Ctx, ErrorCode, FunctionError, Registry, ServerFunction, State};
use reqwest::Method;
use serde_json::{Value, json};

use super::support::{Server, config};

/// What a tower layer puts in the request extensions.
#[derive(Clone)]
struct RequestId(&'static str);

/// What middleware attaches to a call for its handler.
#[derive(Clone)]
struct User(String);

/// How often the counting handlers ran.
#[derive(Clone, Default)]
struct Ran(Arc<AtomicU64>);

impl Ran {
    fn count(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Marks the response with the function it ran around (a function's own middleware).
fn mark() -> Arc<dyn Middleware> {
    middleware_fn(|ctx: Ctx, next: Next| async move {
        ctx.response().append_header("x-middleware", next.target().name());
        next.run(ctx).await
    })
}

fn registry() -> Registry {
    let mut r = Registry::new();
    r.register(ServerFunction::query("echo_request").middleware(mark()).handler(
        |ctx: Ctx, (): ()| async move {
            let request = ctx.request();
            Ok::<_, FunctionError>(json!({
                "method": request.method().as_str(),
                "path": request.uri().path(),
                "mount": request.mount_path(),
                "agent": request.header("x-agent"),
                "theme": request.cookie("theme"),
                "id": request.extensions().get::<RequestId>().map(|id| id.0),
                "loopback_peer": request.client_addr().map(|a| a.ip().is_loopback()),
            }))
        },
    ))
    .register(
        ServerFunction::query("greet_cookie")
            .cache(CachePolicy::public())
            .handler(|ctx: Ctx, name: String| async move {
                ctx.state::<Ran>()?.0.fetch_add(1, Ordering::SeqCst);
                if name == "cookie" {
                    ctx.response()
                        .set_cookie(Cookie::build(("seen", "yes")).path("/").build());
                    ctx.response().insert_header("x-greeted", &name);
                }
                Ok::<_, FunctionError>(format!("hi {name}"))
            }),
    )
    .register(
        ServerFunction::query("whoami")
            .middleware(mark())
            .handler(|ctx: Ctx, (): ()| async move {
                Ok::<_, FunctionError>(ctx.get::<User>().map(|u| u.0.clone()))
            }),
    )
    .register(
        ServerFunction::query("guarded")
            .middleware(middleware_fn(|_: Ctx, _: Next| async {
                Err(FunctionError::from_code(ErrorCode::LimitExceeded, "slow down"))
            }))
            .handler(|ctx: Ctx, (): ()| async move {
                ctx.state::<Ran>()?.0.fetch_add(1, Ordering::SeqCst);
                Ok::<_, FunctionError>(())
            }),
    );
    r.register_compose("both", ["whoami", "echo_request"]);
    r
}

async fn server() -> (Server, Ran) {
    let ran = Ran::default();
    let config = config()
        .with_state(State::new().with(ran.clone()))
        .with_middleware(middleware_fn(|mut ctx: Ctx, next: Next| async move {
            // Enriches the context with what only the chain knows: the function's name.
            ctx.insert(User(format!("user of {}", next.target().name())));
            next.run(ctx).await
        }));
    let server = Server::start_with(registry(), config, |app| {
        app.layer(axum::middleware::map_request(|mut request: Request| async move {
            request.extensions_mut().insert(RequestId("r-1"));
            request
        }))
    })
    .await;
    (server, ran)
}

#[tokio::test]
async fn a_handler_reads_the_request_parts() {
    let (server, _) = server().await;
    let reply = server
        .send(
            server
                .request(Method::GET, "/call/echo_request")
                .header("x-agent", "test")
                .header("cookie", "a=1; theme=dark"),
        )
        .await;
    assert_eq!(
        reply.body["data"],
        json!({
            "method": "GET",
            "path": "/mizan/call/echo_request",
            "mount": "/mizan",
            "agent": "test",
            "theme": "dark",
            "id": "r-1",
            "loopback_peer": true,
        })
    );
}

#[tokio::test]
async fn batch_members_see_the_batch_request() {
    let (server, _) = server().await;
    let body = json!({"calls": [{"fn": "echo_request"}, {"fn": "whoami"}]});
    let reply = server
        .send(
            server
                .request(Method::POST, "/batch")
                .header("x-agent", "batcher")
                .json(&body),
        )
        .await;
    let results = &reply.body["results"];
    assert_eq!(results[0]["data"]["method"], "POST");
    assert_eq!(results[0]["data"]["path"], "/mizan/batch");
    assert_eq!(results[0]["data"]["agent"], "batcher");
    // Middleware ran around each member, and the one response carries every member's
    // response parts, in member order.
    assert_eq!(results[1]["data"], "user of whoami");
    let marks: Vec<_> = reply.headers.get_all("x-middleware").iter().collect();
    assert_eq!(marks, ["echo_request", "whoami"]);
}

#[tokio::test]
async fn middleware_enriches_calls_and_composition_members() {
    let (server, _) = server().await;
    let reply = server.call("whoami", Value::Null, None).await;
    assert_eq!(reply.body["data"], "user of whoami");
    assert_eq!(reply.header("x-middleware"), Some("whoami"));

    let reply = server
        .send(server.request(Method::POST, "/compose/both").json(&json!({})))
        .await;
    assert_eq!(reply.body["results"]["whoami"]["data"], "user of whoami");
    assert_eq!(reply.body["results"]["echo_request"]["data"]["id"], "r-1");
}

#[tokio::test]
async fn middleware_can_refuse_before_the_handler() {
    let (server, ran) = server().await;
    let reply = server.call("guarded", Value::Null, None).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (429, "limit_exceeded"));
    let body = json!({"calls": [{"fn": "guarded"}]});
    let reply = server
        .send(server.request(Method::POST, "/batch").json(&body))
        .await;
    assert_eq!(reply.body["results"][0]["error"]["code"], "limit_exceeded");
    assert_eq!(ran.count(), 0);
}

#[tokio::test]
async fn response_parts_are_sent_and_never_cached() {
    let (server, ran) = server().await;
    // A plain result is cached, and its hit carries no response parts.
    let first = server.get("greet_cookie", &json!("ada"), None).await;
    assert_eq!(first.header("mizan-cache"), Some("miss"));
    let hit = server.get("greet_cookie", &json!("ada"), None).await;
    assert_eq!(hit.header("mizan-cache"), Some("hit"));
    assert_eq!(hit.header("set-cookie"), None);
    assert_eq!(ran.count(), 1);

    // A result that came with a cookie is not stored: every call runs the handler and
    // sends its own cookie.
    for _ in 0..2 {
        let reply = server.get("greet_cookie", &json!("cookie"), None).await;
        assert_eq!(reply.body["data"], "hi cookie");
        assert_eq!(reply.header("mizan-cache"), Some("bypass"));
        assert_eq!(reply.header("set-cookie"), Some("seen=yes; Path=/"));
        assert_eq!(reply.header("x-greeted"), Some("cookie"));
        // The protocol's own headers keep their values.
        assert_eq!(reply.header("content-type"), Some("application/json"));
    }
    assert_eq!(ran.count(), 3);
    let counted = server.mizan.metrics().snapshot().functions["greet_cookie"];
    assert_eq!(
        (
            counted.calls,
            counted.cache_hits,
            counted.cache_misses,
            counted.cache_bypasses
        ),
        (4, 1, 1, 2)
    );
}

/// A context outside HTTP: the defaults a test or a server-side call sees.
#[tokio::test]
async fn outside_http_the_request_parts_are_empty() {
    let ctx = Ctx::new(None, Arc::new(State::new()));
    assert_eq!(ctx.request().method(), "GET");
    assert!(ctx.request().headers().is_empty());
    assert_eq!(ctx.request().client_addr(), None);
    assert!(ctx.get::<User>().is_none());
}

//! `#[mizan::function]` expands to the same function the builder makes.

use std::time::Duration;

use mizan::prelude::*;
use serde_json::json;

#[derive(Debug, Deserialize, JsonSchema)]
struct PostId {
    id: u64,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Post {
    id: u64,
    title: String,
}

/// One post by id.
///
/// Second paragraph.
#[mizan::function(
    name = "posts.get",
    context = "blog",
    cache(scope = "permission", ttl = "2m", tags = ["posts", "front"]),
    permissions = ["posts.read"],
    meta(owner = "team-blog", weight = 3, beta = true)
)]
async fn get_post(_ctx: Ctx, input: PostId) -> Result<Post, FunctionError> {
    Ok(Post {
        id: input.id,
        title: format!("post {}", input.id),
    })
}

async fn get_post_by_hand(_ctx: Ctx, input: PostId) -> Result<Post, FunctionError> {
    Ok(Post {
        id: input.id,
        title: format!("post {}", input.id),
    })
}

#[mizan::function(mutation, authenticated, invalidates = ["posts"])]
async fn touch(input: PostId) -> Result<u64, FunctionError> {
    Ok(input.id)
}

#[mizan::function(cache(scope = "user"))]
async fn ping() -> Result<&'static str, FunctionError> {
    Ok("pong")
}

/// Whether the caller is signed in: a function that needs only its context.
#[mizan::function]
async fn signed_in(ctx: Ctx) -> Result<bool, FunctionError> {
    Ok(ctx.identity().is_some())
}

async fn signed_in_by_hand(ctx: Ctx, _: ()) -> Result<bool, FunctionError> {
    Ok(ctx.identity().is_some())
}

fn schema_of(f: ServerFunction) -> serde_json::Value {
    schema_of_all([f])
}

fn schema_of_all(functions: impl IntoIterator<Item = ServerFunction>) -> serde_json::Value {
    let mut registry = Registry::new();
    for f in functions {
        registry.register(f);
    }
    registry.validate_registry().unwrap();
    registry.get_schema()
}

#[test]
fn macro_and_builder_produce_identical_schemas() {
    let by_hand = ServerFunction::query("posts.get")
        .description("One post by id.\n\nSecond paragraph.")
        .context("blog")
        .cache(
            CachePolicy::permission()
                .ttl(Duration::from_secs(120))
                .tags(["posts", "front"]),
        )
        .permissions(["posts.read"])
        .meta("owner", "team-blog")
        .meta("weight", 3)
        .meta("beta", true)
        .handler(get_post_by_hand);
    assert_eq!(schema_of(get_post()), schema_of(by_hand));
}

#[test]
fn mutation_flags_and_one_argument_form() {
    let by_hand = ServerFunction::mutation("touch")
        .authenticated()
        .invalidates(["posts"])
        .handler(|_: Ctx, input: PostId| async move { Ok::<_, FunctionError>(input.id) });
    // `get_post` carries the tag `touch` purges.
    assert_eq!(
        schema_of_all([touch(), get_post()]),
        schema_of_all([by_hand, get_post()])
    );
}

#[tokio::test]
async fn every_argument_form_runs() {
    let out = get_post().call(Ctx::default(), json!({"id": 3})).await.unwrap();
    assert_eq!(out.get(), r#"{"id":3,"title":"post 3"}"#);
    let out = touch().call(Ctx::default(), json!({"id": 9})).await.unwrap();
    assert_eq!(out.get(), "9");
    let out = ping().call(Ctx::default(), json!(null)).await.unwrap();
    assert_eq!(out.get(), r#""pong""#);
    assert_eq!(ping().cache().scope(), CacheScope::User);
    let out = signed_in().call(Ctx::default(), json!(null)).await.unwrap();
    assert_eq!(out.get(), "false");
}

#[test]
fn a_context_only_function_takes_no_input() {
    let by_hand = ServerFunction::query("signed_in")
        .description("Whether the caller is signed in: a function that needs only its context.")
        .handler(signed_in_by_hand);
    let schema = schema_of(signed_in());
    assert_eq!(schema, schema_of(by_hand));
    assert_eq!(schema["functions"]["signed_in"]["input"]["type"], "null");
}

#[derive(Debug, Serialize, JsonSchema, mizan::TypedError)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[mizan(status = 409)]
enum PostError {
    #[mizan(status = 404)]
    NotFound {
        id: u64,
    },
    TitleTaken,
}

impl std::fmt::Display for PostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotFound { id } => write!(f, "no post has the id {id}"),
            Self::TitleTaken => f.write_str("the title is taken"),
        }
    }
}

impl std::error::Error for PostError {}

#[mizan::function]
async fn find(input: PostId) -> Result<Post, PostError> {
    Err(if input.id == 0 {
        PostError::TitleTaken
    } else {
        PostError::NotFound { id: input.id }
    })
}

#[tokio::test]
async fn typed_errors_carry_code_status_details_and_schema() {
    let err = find().call(Ctx::default(), json!({"id": 5})).await.unwrap_err();
    assert_eq!(
        (err.code(), err.status(), err.message()),
        ("not_found", 404, "no post has the id 5")
    );
    assert_eq!(err.details(), Some(&json!({"kind": "not_found", "id": 5})));
    let err = find().call(Ctx::default(), json!({"id": 0})).await.unwrap_err();
    assert_eq!((err.code(), err.status()), ("title_taken", 409));

    let schema = schema_of(find());
    let error = &schema["functions"]["find"]["error"];
    assert_eq!(error["title"], "PostError");
    let kinds: Vec<_> = error["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["properties"]["kind"]["const"].clone())
        .collect();
    assert_eq!(kinds, [json!("not_found"), json!("title_taken")]);
}

/// One handler fails three ways: its typed error, a `FunctionError`, a library's error.
#[mizan::function]
async fn open_post(ctx: Ctx, input: PostId) -> Result<Post, mizan::Error<PostError>> {
    match input.id {
        0 => Err(PostError::TitleTaken)?,
        1 => {
            ctx.require_identity()?;
        }
        _ => {}
    }
    let title = std::fs::read_to_string("/nonexistent/mizan/post")?;
    Ok(Post { id: input.id, title })
}

#[tokio::test]
async fn one_error_type_carries_typed_function_and_library_errors() {
    let code = |id| async move {
        let err = open_post()
            .call(Ctx::default(), json!({ "id": id }))
            .await
            .unwrap_err();
        (err.code().to_owned(), err.status(), err.message().to_owned())
    };
    assert_eq!(
        code(0).await,
        ("title_taken".into(), 409, "the title is taken".into())
    );
    assert_eq!(
        code(1).await,
        (
            "unauthenticated".into(),
            401,
            "this call needs a valid token".into()
        )
    );
    // The io error's text ("No such file or directory") is logged, never sent.
    assert_eq!(
        code(2).await,
        ("internal".into(), 500, "internal server error".into())
    );

    let schema = schema_of_all([open_post(), find()]);
    assert_eq!(
        schema["functions"]["open_post"]["error"],
        schema["functions"]["find"]["error"]
    );
}

/// What the middleware below attach, in the order they ran.
#[derive(Clone, Default)]
struct Trail(Vec<&'static str>);

fn push(mark: &'static str) -> std::sync::Arc<dyn mizan::middleware::Middleware> {
    use mizan::middleware::{Next, middleware_fn};
    middleware_fn(move |mut ctx: Ctx, next: Next| async move {
        let mut trail = ctx.get::<Trail>().cloned().unwrap_or_default();
        trail.0.push(mark);
        ctx.insert(trail);
        next.run(ctx).await
    })
}

fn outer() -> std::sync::Arc<dyn mizan::middleware::Middleware> {
    push("outer")
}

/// What the middleware left in the context.
#[mizan::function(middleware = [outer, push("inner")])]
async fn trail(ctx: Ctx) -> Result<Vec<&'static str>, FunctionError> {
    Ok(ctx.get::<Trail>().map(|t| t.0.clone()).unwrap_or_default())
}

#[tokio::test]
async fn the_middleware_argument_runs_in_order_around_the_handler() {
    use std::sync::Arc;

    use mizan_core::channels::{InProcessLayer, Publisher};
    use mizan_core::executor::{CallInput, Caller, Executor, ExecutorConfig, Via};

    let f = trail();
    assert_eq!(f.middleware().len(), 2);
    let mut registry = Registry::new();
    registry.register(f);
    registry.validate_registry().unwrap();
    let executor = Executor::new(
        registry,
        ExecutorConfig {
            cache_secret: b"macro test secret".to_vec(),
            cache: Arc::new(mizan::cache::MemoryCache::new()),
            publisher: Publisher::new(Arc::new(InProcessLayer::new())),
            state: Arc::default(),
            csrf_header: "x-mizan-csrf".into(),
            middleware: vec![push("global")],
            revision_copy: None,
        },
    );
    let outcome = executor
        .execute(
            &Caller::anonymous(),
            "trail",
            CallInput::Value(json!(null)),
            Via::Write,
        )
        .await;
    assert_eq!(
        std::str::from_utf8(&outcome.body).unwrap(),
        r#"{"data":["global","outer","inner"]}"#
    );
}

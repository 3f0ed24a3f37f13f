//! The executor: runs one call of a server function, knowing nothing of HTTP. An adapter
//! turns a request into a [`Caller`], a function name and a [`CallInput`], and the
//! [`Outcome`] back into a response.
//!
//! A call goes through these steps, in this order, one file each:
//!
//! 1. **authorize** (`authorize.rs`): a write-only function is refused on a read-only
//!    request, a cookie-authenticated write needs the CSRF header, then the function's
//!    access rule.
//! 2. **decode** (`decode.rs`): a cached function needs its input as a value, for its key;
//!    any other keeps the text, which the handler decodes straight into its input type.
//! 3. **cache slot** (`slot.rs`): where the result lives: the scope picks the key's
//!    subject (everyone, the permission set, the user), the function's tags give its
//!    revision; then the lookup, which answers a hit without running anything.
//! 4. **run** (`run.rs`): the handler inside the [`middleware`] chain, under
//!    the one panic guard (channel handlers run under both too): a panic is `internal`,
//!    counted and logged.
//! 5. **store** (`store.rs`): the envelope of a computed result goes into its slot,
//!    unless the handler added response parts (those are never cached).
//! 6. **purge and announce** (`purge.rs`): a mutation's `invalidates` tags get new
//!    revisions, announced on the revisions channel to every instance's clients.
//!
//! Every call runs inside a `mizan.call` tracing span (`function`, `cache`, `status`,
//! `duration_us`) and is counted, per function, in [`Metrics`] (from its outcome, in one
//! place: [`Metrics::record`]). Batches and compositions call
//! [`Executor::execute_all`], which runs the same steps for each member, concurrently.

mod authorize;
mod call;
mod decode;
mod envelope;
mod metrics;
/// Code around handlers (defined with the function model, which stores per-function
/// middleware; the executor runs the chain).
pub mod middleware {
    pub use crate::function::middleware::*;
}
mod outcome;
mod purge;
mod results;
mod revision_copy;
mod revisions;
mod run;
mod slot;
mod store;

use std::future::{Future, ready};
use std::sync::Arc;
use std::time::Instant;

use futures::FutureExt;
use futures::future::{Either, join_all};
use tracing::Instrument;

pub use call::{CallInput, Caller, Via};
pub use envelope::{ErrorBody, error_body, success_body};
pub use metrics::{FunctionMetrics, Metrics, MetricsSnapshot};
pub use middleware::{Middleware, Next, Target, middleware_fn};
pub use outcome::{CacheStatus, CachedMeta, Outcome};
pub use results::{batch_results, compose_results};

use crate::cache::CacheBackend;
use crate::channels::Publisher;
use crate::error::{ErrorCode, FunctionError};
use crate::function::{ServerFunction, State};
use crate::keys::KeyDeriver;
use crate::registry::Registry;
use revisions::Revisions;

/// What an [`Executor`] is built from besides the registry.
#[derive(Clone)]
pub struct ExecutorConfig {
    /// Secret of cache keys and permission keys.
    pub cache_secret: Vec<u8>,
    /// Where cached results and revisions live.
    pub cache: Arc<dyn CacheBackend>,
    /// Carries the revisions announced after a purge (and, through `state`, handlers'
    /// publications).
    pub publisher: Publisher,
    /// Application state handed to every handler.
    pub state: Arc<State>,
    /// The header a cookie-authenticated write must carry, named in `csrf_failed` errors.
    pub csrf_header: String,
    /// Middleware around every handler, outermost first.
    pub middleware: Vec<Arc<dyn Middleware>>,
    /// Keeps a local copy of the revisions, each read again from the cache backend after
    /// this long: see [`Executor::follow_layer`]. `None`: every cached call reads its
    /// revision from the backend.
    pub revision_copy: Option<std::time::Duration>,
}

impl std::fmt::Debug for ExecutorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecutorConfig")
            .field("cache_secret", &"<redacted>")
            .field("cache", &self.cache.name())
            .field("csrf_header", &self.csrf_header)
            .field("revision_copy", &self.revision_copy)
            .finish_non_exhaustive()
    }
}

/// Runs calls of one registry's functions (see the [module docs](self) for the steps).
pub struct Executor {
    registry: Registry,
    keys: KeyDeriver,
    cache: Arc<dyn CacheBackend>,
    revisions: Revisions,
    publisher: Publisher,
    state: Arc<State>,
    csrf_header: String,
    middleware: Vec<Arc<dyn Middleware>>,
    metrics: Arc<Metrics>,
    /// The permission key of the empty permission set: what anonymous callers share.
    anonymous_permission_key: String,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}

impl Executor {
    /// An executor of `registry`'s functions (validate the registry first).
    pub fn new(registry: Registry, config: ExecutorConfig) -> Self {
        let keys = KeyDeriver::new(&config.cache_secret);
        Self {
            anonymous_permission_key: keys.permission_key([]),
            keys,
            revisions: Revisions::new(config.cache.clone(), &registry, config.revision_copy),
            cache: config.cache,
            publisher: config.publisher,
            state: config.state,
            csrf_header: config.csrf_header,
            middleware: config.middleware,
            metrics: Arc::new(Metrics::for_registry(&registry)),
            registry,
        }
    }

    /// The registry being served.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The counters of this instance (shared with what counts beside the executor, such as
    /// a channel hub).
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The publisher of this instance's channel layer.
    pub fn publisher(&self) -> &Publisher {
        &self.publisher
    }

    /// The application state handlers see.
    pub fn state(&self) -> &Arc<State> {
        &self.state
    }

    /// Runs the function `name` on `input` for `caller`. Never fails: every problem is an
    /// error envelope in the outcome.
    ///
    /// The steps that need no waiting (finding the function, authorize, decode) run when
    /// this is called, so the future holds only what the others need: an adapter boxes it
    /// for every request, and a box over the allocator's small-size limit (1 KB in glibc)
    /// costs several times more.
    pub fn execute<'a>(
        &'a self,
        caller: &'a Caller,
        name: &str,
        input: CallInput,
        via: Via,
    ) -> impl Future<Output = Outcome> + 'a {
        let Some(function) = self.registry.get_function(name) else {
            let error = FunctionError::from_code(
                ErrorCode::NotFound,
                format!("no function is named `{name}`; see the schema for the registered names"),
            );
            return Either::Left(ready(Outcome::failure(&error, CacheStatus::Off)));
        };
        let span = tracing::info_span!(
            "mizan.call",
            function = name,
            cache = tracing::field::Empty,
            status = tracing::field::Empty,
            duration_us = tracing::field::Empty,
        );
        // The clock is read only for a span some subscriber records.
        let started = (!span.is_disabled()).then(Instant::now);
        // Authorize and decode run no application code and log nothing: no need to enter
        // the span for them.
        let steps = match self.admit(caller, function, input, via) {
            Ok(input) => Either::Left(self.steps(caller, function, input).instrument(span.clone())),
            Err(error) => Either::Right(ready(Outcome::failure(&error, CacheStatus::Off))),
        };
        // A map, not an `async` block: that would hold the steps' future twice.
        Either::Right(steps.map(move |outcome| {
            if let Some(started) = started {
                span.record("cache", outcome.cache.as_str());
                span.record("status", outcome.status);
                span.record("duration_us", started.elapsed().as_micros() as u64);
            }
            self.metrics.record(function.name(), &outcome);
            outcome
        }))
    }

    /// Runs several calls of one caller concurrently (a batch, a composition's members),
    /// each through every step on its own; the outcomes are in the order of `calls`.
    pub async fn execute_all<'a>(
        &self,
        caller: &Caller,
        calls: impl IntoIterator<Item = (&'a str, CallInput)>,
    ) -> Vec<Outcome> {
        join_all(
            calls
                .into_iter()
                .map(|(name, input)| self.execute(caller, name, input, Via::Write)),
        )
        .await
    }

    /// Steps 1 and 2 of the module docs: the input the next steps take.
    fn admit(
        &self,
        caller: &Caller,
        f: &ServerFunction,
        input: CallInput,
        via: Via,
    ) -> Result<CallInput, FunctionError> {
        self.authorize(caller, f, via)?;
        decode::decode(f, input)
    }

    /// Steps 3 to 6 of the module docs, in order.
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn keeps a second copy of its arguments"
    )]
    fn steps<'a>(
        &'a self,
        caller: &'a Caller,
        f: &'a ServerFunction,
        input: CallInput,
    ) -> impl Future<Output = Outcome> + 'a {
        async move {
            let slot = match self.cache_slot(caller, f, &input).await {
                Ok(slot) => slot,
                Err(error) => return Outcome::failure(&error, CacheStatus::Off),
            };
            if let Some(hit) = self.lookup(&slot).await {
                return hit;
            }
            let (output, headers) = match self.run(caller, f, input).await {
                (Ok(output), headers) => (output, headers),
                (Err(error), headers) => {
                    return Outcome::failure(&error, slot.status_on_error()).with_headers(headers);
                }
            };
            let outcome = self.store(f, slot, &output, headers).await;
            self.purge_invalidated(f).await;
            outcome
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::cache::MemoryCache;
    use crate::channels::InProcessLayer;
    use crate::function::{CachePolicy, Ctx, HandlerResult, RequestContext};

    fn executor() -> Executor {
        let mut registry = Registry::new();
        registry
            .register(
                ServerFunction::query("greet")
                    .cache(CachePolicy::public())
                    .handler(
                        |_: Ctx, name: String| async move { Ok::<_, FunctionError>(format!("hi {name}")) },
                    ),
            )
            .register(
                ServerFunction::query("boom").handler(|_: Ctx, (): ()| async move {
                    if true {
                        panic!("boom");
                    }
                    Ok::<_, FunctionError>(())
                }),
            )
            .register(
                ServerFunction::query("mine")
                    .cache(CachePolicy::user())
                    .handler(|_: Ctx, (): ()| async move { Ok::<_, FunctionError>(1) }),
            )
            .register(
                ServerFunction::query("greet_with_header")
                    .cache(CachePolicy::public())
                    .handler(|ctx: Ctx, (): ()| async move {
                        ctx.response().insert_header("x-greeting", "hi");
                        Ok::<_, FunctionError>("hi")
                    }),
            )
            .register(
                ServerFunction::mutation("reset")
                    .invalidates(["greet"])
                    .handler(|_: Ctx, (): ()| async move { Ok::<_, FunctionError>(true) }),
            );
        registry.validate_registry().unwrap();
        Executor::new(registry, executor_config())
    }

    fn executor_config() -> ExecutorConfig {
        ExecutorConfig {
            cache_secret: b"executor test secret".to_vec(),
            cache: Arc::new(MemoryCache::new()),
            publisher: Publisher::new(Arc::new(InProcessLayer::new())),
            state: Arc::default(),
            csrf_header: "x-csrf".into(),
            middleware: Vec::new(),
            revision_copy: None,
        }
    }

    fn json(text: &str) -> CallInput {
        CallInput::Json(bytes::Bytes::copy_from_slice(text.as_bytes()))
    }

    #[tokio::test]
    async fn runs_the_steps_without_any_transport() {
        let executor = executor();
        let caller = Caller::anonymous();
        let first = executor
            .execute(&caller, "greet", json(r#""Ada""#), Via::Read)
            .await;
        assert_eq!((first.status, first.cache), (200, CacheStatus::Miss));
        let rev = executor.revisions(&["greet"]).await.unwrap()[0];
        assert_eq!(first.body, format!(r#"{{"data":"hi Ada","rev":{rev}}}"#));
        let second = executor
            .execute(&caller, "greet", json(r#""Ada""#), Via::Read)
            .await;
        assert_eq!((second.cache, second.body), (CacheStatus::Hit, first.body));

        // A mutation is refused on a read-only request, and purges its tags otherwise.
        let refused = executor.execute(&caller, "reset", json(""), Via::Read).await;
        assert_eq!(refused.status, 405);
        let reset = executor
            .execute_all(&caller, [("reset", CallInput::Value(Value::Null))])
            .await;
        assert_eq!(&reset[0].body[..], br#"{"data":true}"#);
        let fresh = executor
            .execute(&caller, "greet", json(r#""Ada""#), Via::Read)
            .await;
        assert_eq!(fresh.cache, CacheStatus::Miss);
        let purged = executor.revisions(&["greet"]).await.unwrap()[0];
        assert!(purged > rev, "the purge moved greet from {rev} to {purged}");
        assert_eq!(fresh.cached.map(|meta| meta.rev), Some(purged));
    }

    #[tokio::test]
    async fn a_panic_is_an_internal_error_and_counted() {
        let executor = executor();
        let outcome = executor
            .execute(&Caller::anonymous(), "boom", json(""), Via::Write)
            .await;
        assert_eq!(outcome.status, 500);
        assert_eq!(executor.metrics().snapshot().panics, 1);
        let guarded: Result<(), FunctionError> =
            executor.guard("a channel handler", async { panic!("too") }).await;
        assert_eq!(guarded.unwrap_err().code(), "internal");
        assert_eq!(executor.metrics().snapshot().panics, 2);
        let missing = executor
            .execute(&Caller::anonymous(), "nope", json(""), Via::Write)
            .await;
        assert_eq!(missing.status, 404);
    }

    /// Panics before a future exists: a middleware's own `call`, an input's decoding.
    #[tokio::test]
    async fn a_panic_while_the_call_is_built_is_an_internal_error_too() {
        struct PanicsAtOnce;
        impl Middleware for PanicsAtOnce {
            fn call(&self, _: RequestContext, _: Next) -> crate::function::BoxFuture<HandlerResult> {
                panic!("before any future")
            }
        }
        struct PanicsWhenDecoded;
        impl<'de> serde::Deserialize<'de> for PanicsWhenDecoded {
            fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
                panic!("while decoding")
            }
        }
        impl schemars::JsonSchema for PanicsWhenDecoded {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                "PanicsWhenDecoded".into()
            }
            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                <()>::json_schema(generator)
            }
        }
        let mut registry = Registry::new();
        registry
            .register(
                ServerFunction::query("early")
                    .middleware(Arc::new(PanicsAtOnce))
                    .handler(|_: Ctx, (): ()| async move { Ok::<_, FunctionError>(1) }),
            )
            .register(
                ServerFunction::query("decode")
                    .handler(|_: Ctx, _: PanicsWhenDecoded| async move { Ok::<_, FunctionError>(1) }),
            );
        let executor = Executor::new(registry, executor_config());
        for (i, name) in ["early", "decode"].into_iter().enumerate() {
            let outcome = executor
                .execute(&Caller::anonymous(), name, json("null"), Via::Write)
                .await;
            assert_eq!(outcome.status, 500, "{name}");
            assert_eq!(executor.metrics().snapshot().panics, i as u64 + 1, "{name}");
        }
    }

    #[tokio::test]
    async fn counts_hits_misses_bypasses_and_errors_per_function() {
        let executor = executor();
        let caller = Caller::anonymous();
        for name in ["greet", "greet"] {
            executor.execute(&caller, name, json(r#""Ada""#), Via::Read).await;
        }
        // A batch: one more hit, a miss on other input, and a bad input: a miss too (the
        // handler decodes its input) and an error.
        executor
            .execute_all(
                &caller,
                [
                    ("greet", CallInput::Value(Value::from("Ada"))),
                    ("greet", json(r#""Bo""#)),
                    ("greet", json("3")),
                ],
            )
            .await;
        // Bypasses: a `user` result without a user, and a result carrying response parts.
        executor.execute(&caller, "mine", json(""), Via::Read).await;
        executor
            .execute(&caller, "greet_with_header", json(""), Via::Read)
            .await;
        executor
            .execute(&caller, "greet_with_header", json(""), Via::Read)
            .await;
        // Not cached: neither a hit, a miss nor a bypass; refused on a read, so an error.
        executor.execute(&caller, "reset", json(""), Via::Read).await;
        executor.execute(&caller, "nope", json(""), Via::Read).await;

        let snapshot = executor.metrics().snapshot();
        let counts = |name: &str| {
            let f = snapshot.functions[name];
            (f.calls, f.cache_hits, f.cache_misses, f.cache_bypasses, f.errors)
        };
        assert_eq!(counts("greet"), (5, 2, 3, 0, 1));
        assert_eq!(counts("mine"), (1, 0, 0, 1, 0));
        assert_eq!(counts("greet_with_header"), (2, 0, 0, 2, 0));
        assert_eq!(counts("reset"), (1, 0, 0, 0, 1));
        assert_eq!(counts("boom"), (0, 0, 0, 0, 0));
        assert!(!snapshot.functions.contains_key("nope"));
        assert_eq!(
            (
                snapshot.calls,
                snapshot.cache_hits,
                snapshot.cache_misses,
                snapshot.cache_bypasses,
                snapshot.errors
            ),
            (9, 2, 3, 3, 2)
        );
    }
}

//! Handlers: the async code behind a function, erased to JSON in and raw JSON out.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use super::context::RequestContext;
use super::decode::{decode_input, decode_json, parse_json_input};
use crate::error::{FunctionError, IntoFunctionError};

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What a handler resolves to: the serialized output or an error.
pub type HandlerResult = Result<Box<RawValue>, FunctionError>;

/// The type-erased handler the executor calls. Implemented for you by
/// [`FunctionBuilder::handler`](super::FunctionBuilder::handler); implement it yourself only
/// for handlers that work on raw JSON.
pub trait Handler: Send + Sync + 'static {
    /// Runs the handler on an already-parsed input.
    fn call(&self, ctx: RequestContext, input: Value) -> BoxFuture<HandlerResult>;

    /// Runs the handler on JSON text that passed the adapter's size and depth limits.
    ///
    /// The default parses a [`Value`] and calls [`call`](Self::call); typed handlers decode
    /// straight into their input type, skipping the intermediate value. A syntax error is
    /// `invalid_json`; a shape error is `validation_failed`, as with `call`.
    fn call_json(&self, ctx: RequestContext, json: &[u8]) -> BoxFuture<HandlerResult> {
        match parse_json_input(json) {
            Ok(value) => self.call(ctx, value),
            Err(err) => Box::pin(std::future::ready(Err(err))),
        }
    }
}

/// What a typed handler checks once the input decoded: nothing, or the input's
/// `#[validate(...)]` rules ([`check_rules`](crate::check_rules)).
pub(crate) type Check<I> = fn(&I) -> Result<(), FunctionError>;

/// The check of handlers without rules.
pub(crate) fn no_check<I>(_: &I) -> Result<(), FunctionError> {
    Ok(())
}

/// An async function that can be a server function's handler: `async fn(Ctx, I) ->
/// Result<O, E>`, or a closure of that shape, whose future is `Send`. A function without
/// input takes only the context, `async fn(Ctx) -> Result<O, E>` (its input is `()`,
/// `null` on the wire), as `#[mizan::function]` accepts it.
///
/// Implemented for every such function (you never implement it yourself); it names the
/// bounds once, the way axum's `Handler` does, so builders ask for `H: HandlerFn<Args>`
/// and read the input, output and error types off it. `Args` is `(Ctx, I)` or `(Ctx,)`;
/// it only tells the compiler which signature to look for.
///
/// ```
/// use mizan_core::{Ctx, FunctionError, HandlerFn, ServerFunction};
///
/// async fn double(_: Ctx, n: i64) -> Result<i64, FunctionError> {
///     Ok(2 * n)
/// }
///
/// fn input_schema_name<H: HandlerFn<A>, A>(_: &H) -> &'static str {
///     std::any::type_name::<H::Input>()
/// }
/// assert_eq!(input_schema_name(&double), "i64");
///
/// // No input: the closure takes just the context.
/// let whoami = ServerFunction::query("whoami").authenticated().handler(|ctx: Ctx| async move {
///     Ok::<_, FunctionError>(ctx.require_identity()?.user_id.clone())
/// });
/// assert_eq!(whoami.input_schema()["type"], "null");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Mizan function handler",
    label = "expected `async fn(Ctx, Input) -> Result<Output, Error>` or `async fn(Ctx) -> Result<Output, Error>`",
    note = "a handler takes `(ctx: Ctx, input: I)` or just `(ctx: Ctx)` with `I: Deserialize + JsonSchema`, returns `Result<O, E>` with `O: Serialize + JsonSchema` and `E: IntoFunctionError`, and its future is `Send`"
)]
pub trait HandlerFn<Args>: Send + Sync + 'static {
    /// What the handler takes, decoded from the call's JSON.
    type Input: DeserializeOwned + JsonSchema + 'static;
    /// What it returns on success, serialized into the envelope.
    type Output: Serialize + JsonSchema + 'static;
    /// What it returns on failure.
    type Error: IntoFunctionError;
    /// The future of one call.
    type Future: Future<Output = Result<Self::Output, Self::Error>> + Send + 'static;

    /// Starts one call.
    fn call(&self, ctx: RequestContext, input: Self::Input) -> Self::Future;
}

impl<F, Fut, I, O, E> HandlerFn<(RequestContext, I)> for F
where
    F: Fn(RequestContext, I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, E>> + Send + 'static,
    I: DeserializeOwned + JsonSchema + 'static,
    O: Serialize + JsonSchema + 'static,
    E: IntoFunctionError,
{
    type Input = I;
    type Output = O;
    type Error = E;
    type Future = Fut;

    fn call(&self, ctx: RequestContext, input: I) -> Fut {
        self(ctx, input)
    }
}

// A handler without input: its input is `()`, so the schema and the wire say `null`.
impl<F, Fut, O, E> HandlerFn<(RequestContext,)> for F
where
    F: Fn(RequestContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, E>> + Send + 'static,
    O: Serialize + JsonSchema + 'static,
    E: IntoFunctionError,
{
    type Input = ();
    type Output = O;
    type Error = E;
    type Future = Fut;

    fn call(&self, ctx: RequestContext, (): ()) -> Fut {
        self(ctx)
    }
}

/// Adapts a [`HandlerFn`] to the erased [`Handler`]: decodes, checks, runs, encodes.
pub(crate) struct TypedHandler<H: HandlerFn<A>, A> {
    f: H,
    check: Check<H::Input>,
    _args: PhantomData<fn() -> A>,
}

impl<H: HandlerFn<A>, A: 'static> TypedHandler<H, A> {
    pub(crate) fn new(f: H, check: Check<H::Input>) -> Self {
        Self {
            f,
            check,
            _args: PhantomData,
        }
    }

    fn run(&self, ctx: RequestContext, input: Result<H::Input, FunctionError>) -> BoxFuture<HandlerResult> {
        let input = match input.and_then(|input| (self.check)(&input).map(|()| input)) {
            Ok(input) => input,
            Err(err) => return Box::pin(std::future::ready(Err(err))),
        };
        let fut = self.f.call(ctx, input);
        Box::pin(async move {
            let output = fut.await.map_err(IntoFunctionError::into_function_error)?;
            encode_output(&output)
        })
    }
}

impl<H: HandlerFn<A>, A: 'static> Handler for TypedHandler<H, A> {
    fn call(&self, ctx: RequestContext, input: Value) -> BoxFuture<HandlerResult> {
        self.run(ctx, decode_input(input))
    }

    fn call_json(&self, ctx: RequestContext, json: &[u8]) -> BoxFuture<HandlerResult> {
        self.run(ctx, decode_json(json))
    }
}

/// Serializes a handler's output once, straight to the bytes that are sent and cached.
pub fn encode_output<O: Serialize + ?Sized>(output: &O) -> HandlerResult {
    serde_json::value::to_raw_value(output).map_err(|err| {
        tracing::error!(%err, "function output could not be serialized");
        FunctionError::internal()
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::FunctionError;
    use crate::function::{Ctx, Identity, ServerFunction, State};

    fn whoami() -> ServerFunction {
        ServerFunction::query("whoami").handler(|ctx: Ctx| async move {
            Ok::<_, FunctionError>(ctx.require_identity()?.user_id.clone())
        })
    }

    #[tokio::test]
    async fn a_ctx_only_closure_takes_null_and_sees_the_context() {
        let f = whoami();
        assert_eq!(f.input_schema()["type"], "null");
        let ada = Identity {
            user_id: "ada".into(),
            permission_key: String::new(),
            permissions: Default::default(),
            claims: Default::default(),
        };
        let ctx = Ctx::new(Some(Arc::new(ada)), Arc::new(State::new()));
        let out = f.call_json(ctx, b"null").await.unwrap();
        assert_eq!(out.get(), r#""ada""#);
        let anonymous = f.call_json(Ctx::default(), b"null").await.unwrap_err();
        assert_eq!(anonymous.code(), "unauthenticated");
    }

    #[tokio::test]
    async fn a_ctx_only_closure_refuses_an_input() {
        let err = whoami()
            .call_json(Ctx::default(), br#"{"x":1}"#)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "validation_failed");
    }
}

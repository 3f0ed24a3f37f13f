//! Handlers: the async code behind a function, erased to JSON in and raw JSON out.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

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

/// Adapts `async fn(Ctx, I) -> Result<O, E>` to [`Handler`].
pub(crate) struct TypedHandler<F, I, O, E> {
    f: F,
    check: Check<I>,
    _types: PhantomData<fn(I) -> (O, E)>,
}

impl<F, I, O, E> TypedHandler<F, I, O, E> {
    pub(crate) fn new(f: F, check: Check<I>) -> Self {
        Self {
            f,
            check,
            _types: PhantomData,
        }
    }
}

impl<F, Fut, I, O, E> TypedHandler<F, I, O, E>
where
    F: Fn(RequestContext, I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, E>> + Send + 'static,
    I: DeserializeOwned + 'static,
    O: Serialize + 'static,
    E: IntoFunctionError,
{
    fn run(&self, ctx: RequestContext, input: Result<I, FunctionError>) -> BoxFuture<HandlerResult> {
        let input = match input.and_then(|input| (self.check)(&input).map(|()| input)) {
            Ok(input) => input,
            Err(err) => return Box::pin(std::future::ready(Err(err))),
        };
        let fut = (self.f)(ctx, input);
        Box::pin(async move {
            let output = fut.await.map_err(IntoFunctionError::into_function_error)?;
            encode_output(&output)
        })
    }
}

impl<F, Fut, I, O, E> Handler for TypedHandler<F, I, O, E>
where
    F: Fn(RequestContext, I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, E>> + Send + 'static,
    I: DeserializeOwned + 'static,
    O: Serialize + 'static,
    E: IntoFunctionError,
{
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

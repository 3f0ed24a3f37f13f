//! Step 4, run: the handler, inside the middleware chain and under the one panic guard of
//! application code.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use http::HeaderMap;
use serde_json::Value;
use serde_json::value::RawValue;

use super::{CallInput, Caller, Executor};
use crate::channels::ChannelSpec;
use crate::error::FunctionError;
use crate::function::middleware::{Middleware, Next, Target};
use crate::function::{BoxFuture, HandlerResult, RequestContext, ServerFunction};

impl Executor {
    /// Runs `f`'s handler on the decoded input, as `caller`, through the middleware. Also
    /// returns the response parts the handler and middleware added.
    ///
    /// The handler's future is built now (decoding the input), under the panic guard like
    /// its run, so the returned future holds only that boxed future.
    pub(super) fn run<'a>(
        &'a self,
        caller: &Caller,
        f: &ServerFunction,
        input: CallInput,
    ) -> impl Future<Output = (Result<Box<RawValue>, FunctionError>, HeaderMap)> + 'a {
        let ctx = self.context(caller);
        let response = ctx.response().clone();
        let handler = f.handler().clone();
        let endpoint = move |ctx: RequestContext| match input {
            CallInput::Json(json) => handler.call_json(ctx, &json),
            CallInput::Value(value) => handler.call(ctx, value),
        };
        // A middleware, or the input's decoding, may panic before the future exists.
        let call = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let target = || Target::Function(f.name().to_owned());
            self.through_middleware(f.middleware(), target, ctx, endpoint)
        }));
        async move {
            let result = match call {
                Ok(call) => self.guard("handler", call).await,
                Err(panic) => Err(self.panicked("handler", &*panic)),
            };
            (result, response.take())
        }
    }

    /// Runs a client's `send` on the channel `spec` as `ctx`'s caller: the channel's
    /// authorization, then its handler inside the middleware, under the panic guard.
    pub async fn channel_send(
        &self,
        ctx: RequestContext,
        spec: &ChannelSpec,
        params: Value,
        data: Value,
    ) -> Result<(), FunctionError> {
        let what = format!("the handler of channel `{}`", spec.name());
        let send = async {
            let receive = spec.receiver()?;
            spec.authorize(&ctx, params.clone()).await?;
            let endpoint = move |ctx: RequestContext| -> BoxFuture<HandlerResult> {
                Box::pin(async move {
                    receive(ctx, params, data).await?;
                    Ok(RawValue::NULL.to_owned())
                })
            };
            let target = || Target::ChannelSend(spec.name().to_owned());
            self.through_middleware(&[], target, ctx, endpoint).await
        };
        self.guard(&what, send).await.map(drop)
    }

    /// Runs `endpoint` (a handler) on `ctx` inside the global middleware, then `own`;
    /// `target` names what runs, for middleware (built only when there is some).
    fn through_middleware(
        &self,
        own: &[Arc<dyn Middleware>],
        target: impl FnOnce() -> Target,
        ctx: RequestContext,
        endpoint: impl FnOnce(RequestContext) -> BoxFuture<HandlerResult> + Send + 'static,
    ) -> BoxFuture<HandlerResult> {
        if self.middleware.is_empty() && own.is_empty() {
            return endpoint(ctx);
        }
        let chain: Arc<[Arc<dyn Middleware>]> = self.middleware.iter().chain(own).cloned().collect();
        Next::new(chain, target(), endpoint).run(ctx)
    }

    /// The context a handler runs with: the caller, its request and the application state.
    pub fn context(&self, caller: &Caller) -> RequestContext {
        RequestContext::new(caller.identity.clone(), self.state.clone()).with_request(caller.request.clone())
    }

    /// Runs application code (`what` names it in the log: a function's handler, a
    /// channel's), turning a panic into `internal`, counted in `panics` and logged. Every
    /// caught panic ends in `panicked`, so both kinds of handler fail the same way.
    pub async fn guard<T>(
        &self,
        what: &str,
        code: impl Future<Output = Result<T, FunctionError>>,
    ) -> Result<T, FunctionError> {
        match AssertUnwindSafe(code).catch_unwind().await {
            Ok(result) => result,
            Err(panic) => Err(self.panicked(what, &*panic)),
        }
    }

    /// What a panic of application code (`what`) comes to: counted, logged, `internal`.
    fn panicked(&self, what: &str, panic: &(dyn Any + Send)) -> FunctionError {
        self.metrics.panic();
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(panic = %message, "{what} panicked");
        FunctionError::internal()
    }
}

//! Middleware: application code around every handler the executor runs — a function's
//! (single call, batch or composition member) and a channel's (a `send`).
//!
//! A middleware gets the call's context and [`Next`], the rest of the chain ending in the
//! handler. It may change the context before passing it on (attach the user record with
//! [`Ctx::insert`](crate::Ctx::insert)), time or log what `next` returns, or answer
//! without calling `next` (a rate limit's `limit_exceeded`). It runs after the call was
//! authorized and its input decoded, and around the handler only: a cache hit runs no
//! application code, middleware included.
//!
//! Global middleware (the adapter's `Config::with_middleware`) runs first, in the order
//! added, then the function's own ([`FunctionBuilder::middleware`]).
//!
//! [`FunctionBuilder::middleware`]: crate::FunctionBuilder::middleware
//!
//! ```
//! use mizan_core::executor::{Next, middleware_fn};
//! use mizan_core::{Ctx, ErrorCode, FunctionError};
//!
//! // Refuses calls to anything but `health` while the app is in maintenance.
//! let maintenance = middleware_fn(|ctx: Ctx, next: Next| async move {
//!     if next.target().name() != "health" {
//!         return Err(FunctionError::from_code(ErrorCode::Unavailable, "down for maintenance"));
//!     }
//!     next.run(ctx).await
//! });
//! # let _ = maintenance;
//! ```

use std::future::Future;
use std::sync::Arc;

use super::{BoxFuture, HandlerResult, RequestContext};

/// Code around handlers (see the [module docs](crate::executor::middleware)). Implement it, or wrap an async
/// closure with [`middleware_fn`].
pub trait Middleware: Send + Sync + 'static {
    /// Runs around the rest of the chain: call `next.run(ctx)` to go on, or answer
    /// without it.
    fn call(&self, ctx: RequestContext, next: Next) -> BoxFuture<HandlerResult>;
}

impl std::fmt::Debug for dyn Middleware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Middleware")
    }
}

/// What the chain runs in the end.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// The handler of the server function of that name.
    Function(String),
    /// The `send` handler of the channel of that name.
    ChannelSend(String),
}

impl Target {
    /// The function's or the channel's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Function(name) | Self::ChannelSend(name) => name,
        }
    }
}

type Endpoint = Box<dyn FnOnce(RequestContext) -> BoxFuture<HandlerResult> + Send>;

/// The rest of a middleware chain, ending in the handler.
pub struct Next {
    chain: Arc<[Arc<dyn Middleware>]>,
    position: usize,
    target: Arc<Target>,
    endpoint: Endpoint,
}

impl std::fmt::Debug for Next {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next")
            .field("target", &self.target)
            .field("remaining", &(self.chain.len() - self.position))
            .finish_non_exhaustive()
    }
}

impl Next {
    /// The chain `chain` ending in `endpoint`, the handler of `target`.
    pub(crate) fn new(
        chain: Arc<[Arc<dyn Middleware>]>,
        target: Target,
        endpoint: impl FnOnce(RequestContext) -> BoxFuture<HandlerResult> + Send + 'static,
    ) -> Self {
        Self {
            chain,
            position: 0,
            target: Arc::new(target),
            endpoint: Box::new(endpoint),
        }
    }

    /// What the chain runs in the end.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Runs the next middleware, or the handler after the last one.
    pub fn run(mut self, ctx: RequestContext) -> BoxFuture<HandlerResult> {
        match self.chain.get(self.position).cloned() {
            Some(middleware) => {
                self.position += 1;
                middleware.call(ctx, self)
            }
            None => (self.endpoint)(ctx),
        }
    }
}

/// A middleware from an async function or closure of `(Ctx, Next)`.
pub fn middleware_fn<F, Fut>(f: F) -> Arc<dyn Middleware>
where
    F: Fn(RequestContext, Next) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = HandlerResult> + Send + 'static,
{
    Arc::new(FnMiddleware(f))
}

struct FnMiddleware<F>(F);

impl<F, Fut> Middleware for FnMiddleware<F>
where
    F: Fn(RequestContext, Next) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = HandlerResult> + Send + 'static,
{
    fn call(&self, ctx: RequestContext, next: Next) -> BoxFuture<HandlerResult> {
        Box::pin((self.0)(ctx, next))
    }
}

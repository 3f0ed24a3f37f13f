//! Step 4, run: the handler, under the one panic guard of application code.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use serde_json::value::RawValue;

use super::{CallInput, Caller, Executor};
use crate::error::FunctionError;
use crate::function::{Identity, RequestContext, ServerFunction};

impl Executor {
    /// Runs `f`'s handler on the decoded input, as `caller`.
    pub(super) async fn run(
        &self,
        caller: &Caller,
        f: &ServerFunction,
        input: CallInput,
    ) -> Result<Box<RawValue>, FunctionError> {
        let ctx = self.context(caller.identity.clone());
        let call = match input {
            CallInput::Json(json) => f.call_json(ctx, &json),
            CallInput::Value(value) => f.call(ctx, value),
        };
        self.guard("handler", call).await
    }

    /// The context a handler runs with: the caller and the application state.
    pub fn context(&self, identity: Option<Arc<Identity>>) -> RequestContext {
        RequestContext::new(identity, self.state.clone())
    }

    /// Runs application code (`what` names it in the log: a function's handler, a
    /// channel's), turning a panic into `internal`, counted in `panics` and logged. The one
    /// place panics are caught, so both kinds of handler fail the same way.
    pub async fn guard<T>(
        &self,
        what: &str,
        code: impl Future<Output = Result<T, FunctionError>>,
    ) -> Result<T, FunctionError> {
        match AssertUnwindSafe(code).catch_unwind().await {
            Ok(result) => result,
            Err(panic) => {
                self.metrics.panic();
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(panic = %message, "{what} panicked");
                Err(FunctionError::internal())
            }
        }
    }
}

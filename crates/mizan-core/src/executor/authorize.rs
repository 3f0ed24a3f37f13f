//! Step 1, authorize: may this caller make this call?

use super::{Caller, Executor, Via};
use crate::error::{ErrorCode, FunctionError};
use crate::function::{FunctionKind, ServerFunction};

impl Executor {
    /// A mutation needs a request that may write and, when the token came in a cookie, the
    /// CSRF header; then the function's access rule decides.
    pub(super) fn authorize(
        &self,
        caller: &Caller,
        f: &ServerFunction,
        via: Via,
    ) -> Result<(), FunctionError> {
        if f.kind() == FunctionKind::Mutation {
            if via == Via::Read {
                return Err(FunctionError::from_code(
                    ErrorCode::MethodNotAllowed,
                    format!("`{}` is a mutation; call it with POST", f.name()),
                ));
            }
            caller.require_csrf(&self.csrf_header, "mutation")?;
        }
        f.access()
            .check(caller.identity.as_deref(), format_args!("`{}`", f.name()))
    }
}

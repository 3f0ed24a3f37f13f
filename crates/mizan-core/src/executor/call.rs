//! What a call is made of besides the function's name: who makes it, its input, and how it
//! arrived.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;

use crate::error::{ErrorCode, FunctionError};
use crate::function::{Identity, RequestParts};

/// Who is calling, resolved once per request by the adapter.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The verified identity, if a valid token came with the request.
    pub identity: Option<Arc<Identity>>,
    /// False for a cookie-authenticated request without the CSRF header: writes refuse.
    pub csrf_ok: bool,
    /// The request the calls came in: every member of a batch or a composition sees the
    /// same parts.
    pub request: Arc<RequestParts>,
}

impl Caller {
    /// Nobody in particular: no token, nothing to guard against.
    pub fn anonymous() -> Self {
        Self {
            identity: None,
            csrf_ok: true,
            request: RequestParts::none(),
        }
    }

    /// `csrf_failed` when a cookie-authenticated request that writes (`what`: a mutation, a
    /// purge) lacks the CSRF header named `header`.
    ///
    /// # Errors
    ///
    /// `csrf_failed`, naming the header.
    pub fn require_csrf(&self, header: &str, what: &str) -> Result<(), FunctionError> {
        if self.csrf_ok {
            return Ok(());
        }
        Err(FunctionError::from_code(
            ErrorCode::CsrfFailed,
            format!("a cookie-authenticated {what} needs the `{header}` header"),
        ))
    }
}

/// A call's input as it arrived: JSON text of a single call (already checked against the
/// size and depth limits), or a value taken from a batch or composition body.
#[derive(Debug, Clone)]
pub enum CallInput {
    /// JSON text; empty text is `null`.
    Json(Bytes),
    /// An already-parsed value.
    Value(Value),
}

/// How the call arrived; a read-only request (`GET`) may only reach queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A request that must not write (HTTP `GET`).
    Read,
    /// A request that may write (HTTP `POST`, batch and composition members).
    Write,
}

//! The one error type of every route: a [`FunctionError`] answered as its envelope.

use axum::response::{IntoResponse, Response};
use mizan_core::FunctionError;
use mizan_core::executor::error_body;

use crate::respond::json_response;

/// A failed request: `{"error": ...}` with the error's status and `no-store`.
#[derive(Debug)]
pub(crate) struct HttpError(FunctionError);

impl From<FunctionError> for HttpError {
    fn from(error: FunctionError) -> Self {
        Self(error)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        json_response(self.0.status(), error_body(&self.0))
    }
}

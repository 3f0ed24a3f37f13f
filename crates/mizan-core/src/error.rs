//! The one error shape every failure takes: a stable machine code, a human message, and
//! field errors when the input is at fault.
//!
//! The codes are declared once, in [`ErrorCode`]'s table, with their HTTP-equivalent status
//! and meaning; the adapter, the OpenAPI document and the TypeScript code table all derive
//! from it (`mizan schema` exports it under `error_codes`).

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::codes::wire_codes;

wire_codes! {
    /// The framework's own error codes. Applications add their own codes with
    /// [`FunctionError::new`]; these are reserved.
    pub enum ErrorCode {
        /// The HTTP status an adapter answers with.
        fn status -> u16;
        /// The request body or query string is not valid JSON.
        InvalidJson = ("invalid_json", 400),
        /// The request is malformed in a way other than its JSON (bad envelope, bad parameter).
        BadRequest = ("bad_request", 400),
        /// No valid token was presented, or the token is expired, forged or unknown.
        Unauthenticated = ("unauthenticated", 401),
        /// The caller is authenticated but lacks a required permission.
        Forbidden = ("forbidden", 403),
        /// A cookie-authenticated mutation came without the CSRF header.
        CsrfFailed = ("csrf_failed", 403),
        /// No function, composition or form has that name.
        NotFound = ("not_found", 404),
        /// The HTTP method is not allowed for this function (GET on a mutation).
        MethodNotAllowed = ("method_not_allowed", 405),
        /// The body exceeds the configured size limit.
        PayloadTooLarge = ("payload_too_large", 413),
        /// The input is well-formed JSON but does not match the function's input type or rules.
        ValidationFailed = ("validation_failed", 422),
        /// The JSON is nested deeper than the configured limit.
        TooDeep = ("too_deep", 400),
        /// A server-enforced limit (batch size, URL length, rate) was exceeded.
        LimitExceeded = ("limit_exceeded", 429),
        /// The handler failed unexpectedly (including a panic); details are logged, never sent.
        Internal = ("internal", 500),
        /// A backend the operation depends on (the cache, for a purge) is unavailable; retry.
        Unavailable = ("unavailable", 503),
    }
}

/// One problem with one field of the input.
///
/// `path` names the field with dots and list indices (`address.zip`, `items.2.qty`); the
/// empty string means the input as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FieldError {
    /// Dotted path to the field (`items.2.qty`); empty for the whole input.
    pub path: String,
    /// Machine code of the violated rule (`length`, `range`, `required`, `type`, ...).
    pub code: String,
    /// Human-readable message.
    pub message: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(path: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The error every function call can end in: what the client receives in the error envelope.
///
/// Boxed inside, so a `Result<T, FunctionError>` stays as small as a pointer on the error side.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionError(Box<ErrorInner>);

#[derive(Debug, Clone, PartialEq)]
struct ErrorInner {
    code: Cow<'static, str>,
    status: u16,
    message: String,
    fields: Vec<FieldError>,
    details: Option<Value>,
}

impl FunctionError {
    /// An application error with its own machine code and HTTP-equivalent status.
    pub fn new(code: impl Into<Cow<'static, str>>, status: u16, message: impl Into<String>) -> Self {
        Self(Box::new(ErrorInner {
            code: code.into(),
            status,
            message: message.into(),
            fields: Vec::new(),
            details: None,
        }))
    }

    /// A framework error from the code table.
    pub fn from_code(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(code.as_str(), code.status(), message)
    }

    /// `validation_failed` with the given field errors.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [one] if one.path.is_empty() => one.message.clone(),
            [one] => format!("{}: {}", one.path, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        Self::from_code(ErrorCode::ValidationFailed, message).with_fields(fields)
    }

    /// `internal`, with a message safe to show.
    pub fn internal() -> Self {
        Self::from_code(ErrorCode::Internal, "internal server error")
    }

    /// Adds field errors.
    #[must_use]
    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Self {
        self.0.fields.extend(fields);
        self
    }

    /// Attaches structured details (typed errors put their payload here).
    #[must_use]
    pub fn with_details(mut self, details: Value) -> Self {
        self.0.details = Some(details);
        self
    }

    /// The machine code.
    pub fn code(&self) -> &str {
        &self.0.code
    }

    /// The HTTP-equivalent status.
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// The human message.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Field errors, if the input was at fault.
    pub fn fields(&self) -> &[FieldError] {
        &self.0.fields
    }

    /// Structured details, if any.
    pub fn details(&self) -> Option<&Value> {
        self.0.details.as_ref()
    }
}

impl fmt::Display for FunctionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.0.code, self.0.message)
    }
}

impl std::error::Error for FunctionError {}

/// Turns a handler's error type into a [`FunctionError`], and optionally describes it in the
/// schema so clients get a typed union of its variants.
///
/// Derive it with `#[derive(mizan::TypedError)]`, or implement it for your application's
/// error enum; errors from other crates go through [`Error`](crate::Error), which `?`
/// fills from any `std::error::Error`. `error_schema` returning `Some` puts
/// the schema under the function's `error` key; the value you return in
/// [`FunctionError::with_details`] should match it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned as a Mizan function error",
    note = "return `mizan::Error` (`?` converts any `std::error::Error` into it, sent as `internal`), `mizan::FunctionError`, or a `#[derive(mizan::TypedError)]` type"
)]
pub trait IntoFunctionError: Send + 'static {
    /// Converts the error for the wire.
    fn into_function_error(self) -> FunctionError;

    /// JSON Schema of the error's `details`, if the error is typed: return
    /// `Some(generator.root_schema_for::<Self>())` for a `JsonSchema` type.
    fn error_schema(_generator: &mut schemars::SchemaGenerator) -> Option<schemars::Schema> {
        None
    }
}

impl IntoFunctionError for FunctionError {
    fn into_function_error(self) -> FunctionError {
        self
    }
}

impl IntoFunctionError for std::convert::Infallible {
    fn into_function_error(self) -> FunctionError {
        match self {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_is_an_error_status() {
        for code in ErrorCode::ALL {
            assert!((400..600).contains(&code.status()), "{code}");
        }
    }

    #[test]
    fn validation_message_names_the_field() {
        let e = FunctionError::validation(vec![FieldError::new("age", "range", "must be at least 18")]);
        assert_eq!(e.code(), "validation_failed");
        assert_eq!(e.status(), 422);
        assert_eq!(e.message(), "age: must be at least 18");
    }
}

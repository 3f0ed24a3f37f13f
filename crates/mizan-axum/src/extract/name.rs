//! The `{name}` of `/call/{name}` and `/compose/{name}`, whose rejection (a name that is
//! not UTF-8 once percent-decoded) is the error envelope (`400 bad_request`) rather than
//! axum's plain-text answer.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use mizan_core::{ErrorCode, FunctionError};

use crate::error::HttpError;

/// The name a call or composition path ends with.
pub(crate) struct Name(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for Name {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HttpError> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(name)| Self(name))
            .map_err(|rejection| {
                FunctionError::from_code(
                    ErrorCode::BadRequest,
                    format!("the name in the path is unreadable: {rejection}"),
                )
                .into()
            })
    }
}

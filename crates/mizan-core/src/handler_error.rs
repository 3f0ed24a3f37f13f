//! [`Error`]: the one error type a handler needs, whatever its failures come from.

use std::fmt;

use crate::error::{FunctionError, IntoFunctionError};

/// A handler's error: its typed error `E`, a [`FunctionError`], or any other error
/// (a database's, a client's) that becomes `internal`.
///
/// `?` converts into it from every `std::error::Error + Send + Sync + 'static` (so from
/// `sqlx::Error`, `std::io::Error`, ...), from [`FunctionError`] (`ctx.require_identity()?`,
/// `ctx.state::<T>()?`) and, for `Error<E>`, from the typed error `E` that
/// `#[derive(mizan::TypedError)]` declared; `E` must then implement `std::error::Error`
/// too (derive `thiserror::Error`, or write `impl std::error::Error for E {}`). The schema's
/// error union is `E`'s: an `Error<PostError>` handler is typed like a `PostError` one, and
/// `Error` alone (`E` = [`Infallible`](std::convert::Infallible)) declares no union.
///
/// An error that is neither typed nor a `FunctionError` is logged with `tracing` (its
/// message and its chain of sources) when the call fails, and the client receives
/// `internal` with nothing of it.
///
/// Like `anyhow::Error`, it does not implement `std::error::Error` itself: that is what
/// lets the blanket conversion exist.
///
/// ```
/// use mizan_core::{Ctx, Error, FunctionError, IntoFunctionError};
///
/// async fn read_motd(ctx: Ctx, _: ()) -> Result<String, Error> {
///     ctx.require_identity()?; // a FunctionError: sent as `unauthenticated`
///     let text = std::fs::read_to_string("/no/such/motd")?; // an io::Error: sent as `internal`
///     Ok(text)
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let err = read_motd(Ctx::default(), ()).await.unwrap_err().into_function_error();
/// assert_eq!(err.code(), "unauthenticated");
/// let err = Error::<std::convert::Infallible>::from(std::io::Error::other("disk on fire"));
/// let sent = err.into_function_error();
/// assert_eq!((sent.code(), sent.message()), ("internal", "internal server error"));
/// # });
/// ```
pub struct Error<E = std::convert::Infallible>(Repr<E>);

enum Repr<E> {
    Typed(E),
    Function(FunctionError),
    Internal(Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl<E> Error<E> {
    /// The typed error `E`; `?` and `.into()` do the same when `E` implements
    /// `std::error::Error`.
    pub fn typed(error: E) -> Self {
        Self(Repr::Typed(error))
    }

    /// The typed error, if this is one.
    pub fn as_typed(&self) -> Option<&E> {
        match &self.0 {
            Repr::Typed(error) => Some(error),
            _ => None,
        }
    }
}

impl<E, X> From<X> for Error<E>
where
    E: std::error::Error + 'static,
    X: std::error::Error + Send + Sync + 'static,
{
    fn from(error: X) -> Self {
        let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(error);
        let boxed = match boxed.downcast::<E>() {
            Ok(typed) => return Self(Repr::Typed(*typed)),
            Err(other) => other,
        };
        match boxed.downcast::<FunctionError>() {
            Ok(function_error) => Self(Repr::Function(*function_error)),
            Err(other) => Self(Repr::Internal(other)),
        }
    }
}

impl<E: IntoFunctionError> IntoFunctionError for Error<E> {
    fn into_function_error(self) -> FunctionError {
        match self.0 {
            Repr::Typed(error) => error.into_function_error(),
            Repr::Function(error) => error,
            Repr::Internal(cause) => {
                tracing::error!(error = %cause, chain = %Chain(&*cause), "function failed");
                FunctionError::internal()
            }
        }
    }

    fn error_schema(generator: &mut schemars::SchemaGenerator) -> Option<schemars::Schema> {
        E::error_schema(generator)
    }
}

impl<E: fmt::Debug> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Typed(error) => f.debug_tuple("Typed").field(error).finish(),
            Repr::Function(error) => f.debug_tuple("Function").field(error).finish(),
            Repr::Internal(cause) => f.debug_tuple("Internal").field(cause).finish(),
        }
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Typed(error) => error.fmt(f),
            Repr::Function(error) => error.fmt(f),
            Repr::Internal(cause) => write!(f, "{cause}{}", Chain(&**cause)),
        }
    }
}

/// The sources of an error, each after `: `.
struct Chain<'a>(&'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("query failed")]
    struct QueryFailed(#[source] std::io::Error);

    #[test]
    fn a_function_error_keeps_its_code() {
        let err: Error = FunctionError::new("gone", 410, "it left").into();
        let sent = err.into_function_error();
        assert_eq!(
            (sent.code(), sent.status(), sent.message()),
            ("gone", 410, "it left")
        );
    }

    #[test]
    fn any_other_error_is_sent_as_internal_without_its_text() {
        let err: Error = QueryFailed(std::io::Error::other("password=hunter2")).into();
        assert_eq!(err.to_string(), "query failed: password=hunter2");
        let sent = err.into_function_error();
        assert_eq!(sent, FunctionError::internal());
    }

    #[test]
    fn the_typed_error_is_the_schema_and_the_wire_form() {
        let err: Error<QueryFailed> = QueryFailed(std::io::Error::other("x")).into();
        assert!(err.as_typed().is_some());
        let err = Error::typed(FunctionError::new("typed", 409, "typed"));
        assert_eq!(err.into_function_error().code(), "typed");
        let mut generator = schemars::SchemaGenerator::default();
        assert!(Error::<std::convert::Infallible>::error_schema(&mut generator).is_none());
    }
}

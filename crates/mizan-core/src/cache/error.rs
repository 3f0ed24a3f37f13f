//! The one error type every cache backend returns.

use std::error::Error as StdError;

/// The cause of a [`CacheError`]: the backend's own error, boxed.
pub(crate) type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// A cache operation failed.
///
/// Every variant names the backend (its [`CacheBackend::name`](super::CacheBackend::name)) and
/// carries the underlying cause as its [`source`](StdError::source). Callers are not expected to
/// recover differently per variant: the HTTP adapter treats every `CacheError` as a cache miss
/// (logged and counted), so the variants exist for logs, metrics and [`is_transient`].
///
/// [`is_transient`]: CacheError::is_transient
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// The backend could not be reached: connection refused or dropped, server loading or
    /// down, no connection established yet.
    #[error("{backend} cache is unavailable: {source}")]
    #[non_exhaustive]
    Unavailable {
        /// The backend's name.
        backend: &'static str,
        /// What went wrong.
        source: BoxError,
    },
    /// The backend did not answer in time (connecting, waiting for a reply, or the whole
    /// operation's deadline).
    #[error("{backend} cache timed out: {source}")]
    #[non_exhaustive]
    Timeout {
        /// The backend's name.
        backend: &'static str,
        /// What went wrong.
        source: BoxError,
    },
    /// The backend answered, but with an error or a reply Mizan cannot use: a server error
    /// (out of memory, wrong type), a counter that is not an integer, a counter overflow.
    #[error("{backend} cache failed: {source}")]
    #[non_exhaustive]
    Protocol {
        /// The backend's name.
        backend: &'static str,
        /// What went wrong.
        source: BoxError,
    },
    /// The backend is misconfigured: an invalid URL, rejected credentials, no async runtime.
    /// Retrying does not help.
    #[error("{backend} cache is misconfigured: {source}")]
    #[non_exhaustive]
    Config {
        /// The backend's name.
        backend: &'static str,
        /// What went wrong.
        source: BoxError,
    },
}

impl CacheError {
    /// A [`CacheError::Unavailable`].
    pub fn unavailable(backend: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Unavailable {
            backend,
            source: source.into(),
        }
    }

    /// A [`CacheError::Timeout`].
    pub fn timeout(backend: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Timeout {
            backend,
            source: source.into(),
        }
    }

    /// A [`CacheError::Protocol`].
    pub fn protocol(backend: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Protocol {
            backend,
            source: source.into(),
        }
    }

    /// A [`CacheError::Config`].
    pub fn config(backend: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Config {
            backend,
            source: source.into(),
        }
    }

    /// The name of the backend that failed.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Unavailable { backend, .. }
            | Self::Timeout { backend, .. }
            | Self::Protocol { backend, .. }
            | Self::Config { backend, .. } => backend,
        }
    }

    /// Whether the same operation may succeed if tried again later: true for
    /// [`Unavailable`](CacheError::Unavailable) and [`Timeout`](CacheError::Timeout), false for
    /// [`Protocol`](CacheError::Protocol) and [`Config`](CacheError::Config).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable { .. } | Self::Timeout { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_backend_and_cause() {
        let err = CacheError::timeout("redis", "no reply within 500ms");
        assert_eq!(err.to_string(), "redis cache timed out: no reply within 500ms");
        assert_eq!(err.backend(), "redis");
        assert_eq!(
            err.source().map(ToString::to_string).as_deref(),
            Some("no reply within 500ms")
        );
    }

    #[test]
    fn only_unavailable_and_timeout_are_transient() {
        assert!(CacheError::unavailable("x", "refused").is_transient());
        assert!(CacheError::timeout("x", "slow").is_transient());
        assert!(!CacheError::protocol("x", "WRONGTYPE").is_transient());
        assert!(!CacheError::config("x", "bad url").is_transient());
    }
}

//! Mizan: typed server functions in Rust, called from TypeScript/React through a generated
//! client, with caching that is safe to share between users.
//!
//! This is the one crate an application depends on. It re-exports the framework-agnostic
//! core (`mizan-core`), the `#[mizan::function]` macro and, with the `axum` feature (on by
//! default), the HTTP adapter under [`axum`].
//!
//! # Example
//!
//! ```
//! use mizan::prelude::*;
//!
//! #[derive(Deserialize, JsonSchema)]
//! struct PostId {
//!     id: u64,
//! }
//!
//! #[derive(Serialize, JsonSchema)]
//! struct Post {
//!     id: u64,
//!     title: String,
//! }
//!
//! /// One post by id.
//! #[mizan::function(context = "blog", cache(scope = "public", ttl = "60s", tags = ["posts"]))]
//! async fn get_post(_ctx: Ctx, input: PostId) -> Result<Post, FunctionError> {
//!     Ok(Post { id: input.id, title: format!("Post {}", input.id) })
//! }
//!
//! let mut registry = Registry::new();
//! registry.register(get_post());
//! registry.validate_registry().expect("a valid registry");
//!
//! let schema = registry.get_schema();
//! assert_eq!(schema["functions"]["get_post"]["cache"]["scope"], "public");
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's example is compiled and run with the doc tests, so it cannot go stale.
// It serves through the adapter, so it is a test of the `axum` feature only.
#[cfg(all(doctest, feature = "axum"))]
#[doc = include_str!("../../../README.md")]
struct ReadmeExample;

#[doc(inline)]
pub use mizan_core::{
    Access, CachePolicy, CacheScope, Composition, Ctx, Error, ErrorCode, FieldError, FunctionBuilder,
    FunctionError, FunctionKind, Handler, HandlerFn, Identity, IntoFunctionError, Registry, RegistryError,
    RegistryExtension, RegistryProblem, RequestContext, RequestParts, ResponseParts, ServerFunction, State,
};

/// Middleware: code around every handler, or a chosen function's (see
/// `mizan::axum::Config::with_middleware` and [`FunctionBuilder::middleware`]).
pub mod middleware {
    #[doc(inline)]
    pub use mizan_core::executor::{Middleware, Next, Target, middleware_fn};
}

/// Cookies to set with [`ResponseParts::set_cookie`] (the `cookie` crate).
pub use mizan_core::Cookie;

/// `#[mizan::function(...)]`: an `async fn` becomes a [`ServerFunction`] constructor.
///
/// See the [crate example](crate#example) and the argument list on the macro crate.
pub use mizan_macros::function;

/// `#[derive(mizan::TypedError)]`: an error type with stable codes, statuses and a schema.
///
/// ```
/// use mizan::prelude::*;
///
/// #[derive(Debug, Serialize, JsonSchema, mizan::TypedError)]
/// #[serde(tag = "kind", rename_all = "snake_case")]
/// enum PostError {
///     #[mizan(status = 404)]
///     NotFound { id: u64 },
///     TitleTaken,
/// }
///
/// impl std::fmt::Display for PostError {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         match self {
///             PostError::NotFound { id } => write!(f, "no post has the id {id}"),
///             PostError::TitleTaken => f.write_str("the title is taken"),
///         }
///     }
/// }
///
/// let error = PostError::NotFound { id: 7 }.into_function_error();
/// assert_eq!((error.code(), error.status()), ("not_found", 404));
/// assert_eq!(error.details().unwrap()["id"], 7);
/// assert_eq!(PostError::TitleTaken.into_function_error().status(), 400);
/// ```
pub use mizan_macros::TypedError;

#[doc(hidden)]
pub mod __private {
    pub use schemars;
    pub use serde_json;
}

pub mod export;

/// Built-in token functions: exchange the application's credentials for an MWT, refresh it,
/// sign out; bearer or cookie (the token lifetime model: `spec/PROTOCOL.md` §1.4 and
/// [`mizan_core::auth`]).
pub mod auth {
    #[doc(inline)]
    pub use mizan_core::auth::{
        LOGOUT_FUNCTION, REFRESH_FUNCTION, TOKEN_FUNCTION, TokenFunctions, token_functions,
    };
    #[doc(inline)]
    pub use mizan_core::{IssuedToken, Principal, TokenIssuer};
}

/// MWT, the Mizan Web Token: signing, verification and key rotation (`spec/PROTOCOL.md` §1.4).
pub mod mwt {
    #[doc(inline)]
    pub use mizan_core::{
        ClaimProblem, Claims, DEFAULT_MAX_TOKEN_LEN, IssueError, Keyring, KeyringError, MWT_PREFIX, MwtError,
        MwtErrorCode, RESERVED_CLAIMS, TokenPart, check_times, decode_mwt_unverified,
    };
}

/// Forms: a type whose rules the server enforces and the client knows (`spec/SCHEMA.md`,
/// "Forms"; field-error codes in `spec/PROTOCOL.md` §4).
pub mod forms {
    #[doc(inline)]
    pub use mizan_core::forms::*;
    #[doc(inline)]
    pub use mizan_core::{FieldErrorCode, check_rules, decode_validated, field_errors};
}

/// Canonical JSON (RFC 8785), cache keys and permission keys (`spec/PROTOCOL.md` §1).
pub mod keys {
    #[doc(inline)]
    pub use mizan_core::{
        CanonicalError, CanonicalErrorCode, KEY_VERSION, KeyDeriver, KeyScope, cache_key, canonicalize,
        canonicalize_str, permission_key,
    };
}

/// Cache backends: where cached results and revisions live.
pub mod cache {
    #[doc(inline)]
    pub use mizan_core::{
        CacheBackend, CacheError, MemoryCache, MemoryCacheBuilder, next_revision, unix_millis,
    };
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    #[doc(inline)]
    pub use mizan_core::{RedisCache, RedisCacheBuilder};
}

/// Channels: typed publish/subscribe over one WebSocket per client (`spec/PROTOCOL.md` §3).
pub mod channels {
    #[doc(inline)]
    pub use mizan_core::channels::*;
}

/// The schema document and its format version.
pub mod schema {
    #[doc(inline)]
    pub use mizan_core::{RESERVED_KEYS, SCHEMA_VERSION, error_code_table, schema_generator};
}

/// The HTTP adapter (axum).
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum {
    #[doc(inline)]
    pub use mizan_axum::*;
}

/// Everything a module of server functions usually needs.
pub mod prelude {
    pub use crate::{
        Access, CachePolicy, CacheScope, Ctx, FieldError, FunctionError, IntoFunctionError, Registry,
        RequestContext, ServerFunction, State,
    };
    pub use schemars::JsonSchema;
    pub use serde::{Deserialize, Serialize};
}

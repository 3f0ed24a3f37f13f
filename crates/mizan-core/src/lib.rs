//! The framework-agnostic heart of Mizan: the function model, the registry and its schema,
//! canonical JSON, cache and permission keys, MWT tokens, cache backends, input validation
//! and forms.
//!
//! Nothing here knows HTTP; `mizan-axum` builds the web adapter on it, and most
//! applications use both through the `mizan` facade crate.

pub mod auth;
mod cache;
mod canonical;
pub mod channels;
mod codes;
mod error;
pub mod executor;
pub mod forms;
mod function;
mod handler_error;
mod keys;
mod mwt;
mod name;
mod registry;
mod schema;
mod validation;
mod value_de;
#[doc(hidden)]
pub mod vectors;

pub use auth::{IssuedToken, Principal, TokenIssuer};
pub use cache::{CacheBackend, CacheError, MemoryCache, MemoryCacheBuilder, next_revision, unix_millis};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use cache::{RedisCache, RedisCacheBuilder};
#[doc(inline)]
pub use canonical::{CanonicalError, CanonicalErrorCode, canonicalize, canonicalize_str};
pub use cookie::Cookie;
pub use error::{ErrorCode, FieldError, FunctionError, IntoFunctionError};
pub use function::{
    Access, BoxFuture, CachePolicy, CacheScope, Ctx, FunctionBuilder, FunctionKind, Handler, HandlerFn,
    HandlerResult, Identity, RequestContext, RequestParts, ResponseParts, ServerFunction, State,
    check_json_input, check_raw_input, decode_input, decode_validated, encode_output, parse_json_input,
    schema_generator,
};
pub use handler_error::Error;
#[doc(inline)]
pub use keys::{KEY_VERSION, KeyDeriver, KeyScope, cache_key, permission_key};
#[doc(inline)]
pub use mwt::{
    ClaimProblem, Claims, DEFAULT_MAX_TOKEN_LEN, IssueError, Keyring, KeyringError, MAX_SAFE_INTEGER,
    MWT_PREFIX, MwtError, MwtErrorCode, RESERVED_CLAIMS, TokenPart, bearer_token, check_times,
    decode_mwt_unverified,
};
pub use name::{check_function_name, check_identifier};
pub use registry::{Composition, RESERVED_KEYS, Registry, RegistryError, RegistryExtension, RegistryProblem};
pub use schema::{SCHEMA_VERSION, error_code_table};
pub use validation::{FieldErrorCode, check_rules, field_errors};

//! Integration tests of the adapter through a real server on loopback and a real HTTP
//! client.
//!
//! Where new tests go: request/response behaviour of calls in `calls.rs`, every documented
//! error in `errors.rs`, tokens, CSRF and cookie sign-in in `auth.rs`, request context, response parts and
//! middleware in `context.rs`, a frontend on another origin in `cors.rs`, caching/purge/rev in `cache.rs`,
//! properties in `isolation.rs` (the schema's agreement with the decoder in
//! `schema_agreement.rs`), forms and field-error codes in `forms.rs`, anything
//! needing the real Redis in `redis.rs`. Tracing spans have their own binary
//! (`tests/tracing_spans.rs`): they need a process-wide subscriber. Shared fixtures (the
//! test registry, a server, tokens) live in `support.rs`.

mod auth;
mod cache;
mod calls;
mod context;
mod cors;
mod errors;
mod forms;
mod hostile;
mod isolation;
mod openapi;
#[cfg(feature = "redis")]
mod redis;
mod schema_agreement;
mod support;

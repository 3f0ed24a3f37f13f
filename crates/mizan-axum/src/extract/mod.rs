//! The extractors every route opens with, each failing with the error envelope
//! ([`HttpError`](crate::error::HttpError)), so a route's body starts with valid parts:
//!
//! - `Caller`, [`LastCaller`], [`CallerThenInput`] and [`CallerThenBody`] (`caller.rs`):
//!   who is calling, from the token;
//! - [`JsonText`] and [`StrictJson`] (`body.rs`): the body under the size and depth limits;
//! - [`CallQuery`] (`call_query.rs`): a GET call's `input` and `rev`;
//! - [`Name`] (`name.rs`): the function or composition name in the path;
//! - [`WsUpgrade`] (`upgrade.rs`): the WebSocket handshake.
//!
//! Extractors run in the order of a route's arguments, so that order is the order in
//! which a request's problems are reported.

mod body;
mod call_query;
mod caller;
mod name;
mod upgrade;

#[cfg(test)]
pub(crate) use body::strictness;
pub(crate) use body::{CheckedRaw, JsonText, StrictBody, StrictJson, UniqueMap};
pub(crate) use call_query::CallQuery;
pub(crate) use caller::{CallerThenBody, CallerThenInput, LastCaller};
pub(crate) use name::Name;
pub(crate) use upgrade::WsUpgrade;

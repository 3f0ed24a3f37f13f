//! Request bodies under the configured limits: [`JsonText`] for a single call's input
//! (checked, not parsed), [`StrictJson`] for the bodies the adapter reads itself.
//!
//! Failures, in the order they are checked:
//!
//! - a `Content-Length` or a body over `max_body_bytes`: `413 payload_too_large`;
//! - a body that cannot be read, or does not arrive within `body_timeout`: `400 bad_request`;
//! - JSON nested deeper than `max_json_depth`: `400 too_deep`;
//! - ([`StrictJson`] only, when the route parses it) text that is not JSON, or has no
//!   canonical form (duplicate member names, lone surrogates): `400 invalid_json`; JSON of
//!   the wrong shape: `400 bad_request`.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::task::Poll;

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_LENGTH;
use bytes::Bytes;
use mizan_core::{ErrorCode, FunctionError};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::HttpError;
use crate::limits::{Limits, exceeds_depth};
use crate::state::AppState;

/// JSON text within the size and depth limits, unparsed: the executor decodes it. Read
/// by `CallerThenInput`, which takes the request apart itself, and under [`StrictJson`].
pub(crate) struct JsonText(pub(crate) Bytes);

impl JsonText {
    /// Reads the body of a request with `headers` under `limits`. The headers are checked
    /// now, so the future holds only the body and the limits.
    pub(crate) fn read(
        headers: &HeaderMap,
        body: Body,
        limits: Limits,
    ) -> impl Future<Output = Result<Self, FunctionError>> + Send + use<> {
        let declared = check_declared_length(headers, &limits);
        async move {
            declared?;
            let text = read_body(body, &limits).await?;
            check_depth(&text, &limits)?;
            Ok(Self(text))
        }
    }
}

/// A JSON body within the limits, read as strictly as a call's input when a route parses
/// it, borrowed ([`StrictJson::parse`]): the parts it hands on (a batch's inputs) stay
/// text, sliced from the body.
pub(crate) struct StrictJson(pub(crate) Bytes);

impl FromRequest<AppState> for StrictJson {
    type Rejection = HttpError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, HttpError> {
        let (parts, body) = request.into_parts();
        let JsonText(text) = JsonText::read(&parts.headers, body, app.config.limits).await?;
        Ok(Self(text))
    }
}

impl StrictJson {
    /// The body as `T`, borrowing from it; an empty body is `null`.
    ///
    /// One pass reads it: `T` is built of parts serde reads as strictly as any input
    /// ([`StrictBody`]). What that pass refuses is read again the reference way, the whole
    /// text checked first and then parsed, which gives the error.
    ///
    /// # Errors
    ///
    /// `invalid_json` for a text without a canonical form, `bad_request` for JSON of the
    /// wrong shape.
    pub(crate) fn parse<'a, T: StrictBody<'a>>(&'a self) -> Result<T, FunctionError> {
        let blank = self.0.iter().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        let text: &[u8] = if blank { b"null" } else { &self.0 };
        serde_json::from_slice(text).or_else(|_| {
            mizan_core::check_json_input(text)?;
            serde_json::from_slice(text).map_err(|err| shape_error(&err))
        })
    }

    /// The part `raw` of the body (a value [`parse`](Self::parse) borrowed), without a copy.
    pub(crate) fn slice(&self, raw: CheckedRaw<'_>) -> Bytes {
        self.0.slice_ref(raw.0.get().as_bytes())
    }
}

/// A body type [`StrictJson::parse`] reads in one pass. Implement it only for a type built
/// of what serde reads as strictly as `spec/PROTOCOL.md` §1.1 asks: structs that deny
/// unknown fields (serde refuses a repeated field), strings (serde_json refuses a lone
/// surrogate), integers, booleans, sequences, options, [`CheckedRaw`] and [`UniqueMap`]. A
/// `&RawValue`, a `Value`, a float or a plain map would let through what §1.1 refuses.
pub(crate) trait StrictBody<'a>: Deserialize<'a> {}

impl<'a, T: StrictBody<'a>> StrictBody<'a> for Option<T> {}

/// A part of a body kept as its text (a batch's input), checked as strictly as any input.
#[derive(Clone, Copy)]
pub(crate) struct CheckedRaw<'a>(&'a RawValue);

impl<'de: 'a, 'a> Deserialize<'de> for CheckedRaw<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&RawValue>::deserialize(deserializer)?;
        mizan_core::check_raw_input(raw).map_err(|_| de::Error::custom("the part has no canonical form"))?;
        Ok(Self(raw))
    }
}

/// A JSON object as a map that refuses a member name given twice, which a map would
/// otherwise keep the last of. (serde_with has this too; not worth a dependency.)
pub(crate) struct UniqueMap<K, V>(pub(crate) BTreeMap<K, V>);

impl<K, V> Default for UniqueMap<K, V> {
    fn default() -> Self {
        Self(BTreeMap::new())
    }
}

impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Deserialize<'de> for UniqueMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Unique<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Visitor<'de> for Unique<K, V> {
            type Value = UniqueMap<K, V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = BTreeMap::new();
                while let Some((key, value)) = access.next_entry()? {
                    if map.insert(key, value).is_some() {
                        return Err(de::Error::custom("a member name is repeated"));
                    }
                }
                Ok(UniqueMap(map))
            }
        }
        deserializer.deserialize_map(Unique(PhantomData))
    }
}

fn too_large(limits: &Limits) -> FunctionError {
    FunctionError::from_code(
        ErrorCode::PayloadTooLarge,
        format!("the body exceeds {} bytes", limits.max_body_bytes),
    )
}

/// `payload_too_large` for a `Content-Length` over `limits.max_body_bytes`.
fn check_declared_length(headers: &HeaderMap, limits: &Limits) -> Result<(), FunctionError> {
    match declared_length(headers) {
        Some(len) if len > limits.max_body_bytes as u64 => Err(too_large(limits)),
        _ => Ok(()),
    }
}

/// Reads a body of at most `limits.max_body_bytes`.
async fn read_body(body: Body, limits: &Limits) -> Result<Bytes, FunctionError> {
    let mut body = std::pin::pin!(axum::body::to_bytes(body, limits.max_body_bytes));
    // A body that came with its headers, as small ones do, is read at once: no timer to
    // arm and disarm for it (and boxed, so every request's future does not hold one).
    let body = match futures::poll!(body.as_mut()) {
        Poll::Ready(body) => body,
        Poll::Pending => match Box::pin(tokio::time::timeout(limits.body_timeout, body)).await {
            Ok(body) => body,
            Err(_) => {
                return Err(FunctionError::from_code(
                    ErrorCode::BadRequest,
                    format!(
                        "the body did not arrive within {:?} (body_timeout)",
                        limits.body_timeout
                    ),
                ));
            }
        },
    };
    body.map_err(|err| {
        let over_limit = std::iter::successors(Some(&err as &dyn std::error::Error), |e| e.source())
            .any(|e| e.is::<http_body_util::LengthLimitError>());
        if over_limit {
            too_large(limits)
        } else {
            FunctionError::from_code(
                ErrorCode::BadRequest,
                format!("the body could not be read: {err}"),
            )
        }
    })
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// `too_deep` if JSON text nests deeper than the limit.
pub(crate) fn check_depth(text: &[u8], limits: &Limits) -> Result<(), FunctionError> {
    if exceeds_depth(text, limits.max_json_depth) {
        return Err(FunctionError::from_code(
            ErrorCode::TooDeep,
            format!("the JSON nests deeper than {} levels", limits.max_json_depth),
        ));
    }
    Ok(())
}

fn shape_error(err: &serde_json::Error) -> FunctionError {
    FunctionError::from_code(
        ErrorCode::BadRequest,
        format!("the request does not have the expected shape: {err}"),
    )
}

/// What the routes' tests need to show [`StrictJson::parse`] refuses what the reference
/// reading (the whole text checked, then parsed) refuses, with the same error.
#[cfg(test)]
pub(crate) mod strictness {
    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;

    use super::*;

    /// The reference reading of a body: the whole text checked, then parsed.
    pub(crate) fn reference<'a, T: Deserialize<'a>>(text: &'a [u8]) -> Result<T, FunctionError> {
        mizan_core::check_json_input(text)?;
        let text: &[u8] = if text.trim_ascii().is_empty() {
            b"null"
        } else {
            text
        };
        serde_json::from_slice(text).map_err(|err| shape_error(&err))
    }

    /// Both readings accept, or both refuse with the same code and reason.
    pub(crate) fn agree<A, B>(
        text: &str,
        parsed: Result<A, FunctionError>,
        reference: Result<B, FunctionError>,
    ) -> Result<(), TestCaseError> {
        match (parsed, reference) {
            (Ok(_), Ok(_)) => Ok(()),
            (Err(got), Err(want)) => {
                prop_assert_eq!(got.code(), want.code(), "{}", text);
                prop_assert_eq!(got.details(), want.details(), "{}", text);
                Ok(())
            }
            (parsed, reference) => Err(TestCaseError::fail(format!(
                "{text}: parse {:?}, reference {:?}",
                parsed.err(),
                reference.err()
            ))),
        }
    }

    /// Any JSON value, of the leaves and member names the strict reading is about: names
    /// repeated (also through an escape), lone surrogates, numbers beyond the double range.
    pub(crate) fn value() -> BoxedStrategy<String> {
        let leaf = prop_oneof![
            Just("null".to_owned()),
            Just("-0".to_owned()),
            Just("7".to_owned()),
            Just("1e400".to_owned()),
            Just(r#""\ud800""#.to_owned()),
            Just(r#""\ud83d\ude00""#.to_owned()),
            "[a-z]{0,2}".prop_map(|s| format!("\"{s}\"")),
        ];
        let name = prop_oneof![Just("a"), Just("\\u0061"), Just("b"), Just("\\ud800")];
        leaf.prop_recursive(3, 24, 4, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(|items| format!("[{}]", items.join(","))),
                prop::collection::vec((name.clone(), inner), 0..4).prop_map(|members| {
                    let members: Vec<String> =
                        members.into_iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        })
        .boxed()
    }

    /// An object of up to four members drawn from `members` (a name as written in the
    /// text, and its value), so a name may come twice.
    pub(crate) fn object(members: Vec<(&'static str, BoxedStrategy<String>)>) -> BoxedStrategy<String> {
        let member = proptest::strategy::Union::new(
            members
                .into_iter()
                .map(|(name, value)| value.prop_map(move |v| format!("\"{name}\":{v}")).boxed()),
        );
        prop::collection::vec(member, 0..4)
            .prop_map(|members| format!("{{{}}}", members.join(",")))
            .boxed()
    }

    /// A body of `shape` (one object's members), or any value at all.
    pub(crate) fn body(shape: Vec<(&'static str, BoxedStrategy<String>)>) -> BoxedStrategy<String> {
        prop_oneof![3 => object(shape), 1 => value()].boxed()
    }
}

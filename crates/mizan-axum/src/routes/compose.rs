//! `POST /compose/{name}`: `{"inputs": {MEMBER: INPUT, ...}}` (optional; a missing input is
//! `null`) -> `{"results": {MEMBER: ENVELOPE, ...}}`; members run concurrently, each
//! authorized and cached on its own. The optional `"revs": {MEMBER: N}` names the
//! revisions the caller knows, for an edge's keys; the origin only checks its members.
//! Like a batch's, the body is read in one strict pass and each input handed on as its text.

use std::borrow::Cow;

use axum::extract::State;
use axum::response::Response;
use mizan_core::executor::{CallInput, compose_results};
use mizan_core::{ErrorCode, FunctionError};
use serde::Deserialize;

use crate::error::HttpError;
use crate::extract::{CallerThenBody, CheckedRaw, Name, StrictBody, UniqueMap};
use crate::respond::members_response;
use crate::state::AppState;

/// The body, borrowed from its text. No member is named twice in either map: [`UniqueMap`]
/// refuses that.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ComposeBody<'a> {
    #[serde(default, borrow)]
    inputs: UniqueMap<Cow<'a, str>, CheckedRaw<'a>>,
    #[serde(default, borrow)]
    revs: UniqueMap<Cow<'a, str>, u64>,
}

impl<'a> StrictBody<'a> for ComposeBody<'a> {}

// An unknown composition is reported before a bad token or body, so both are taken as
// results and checked after the name.
pub(super) async fn post(
    State(app): State<AppState>,
    Name(name): Name,
    caller_and_body: Result<CallerThenBody, HttpError>,
) -> Result<Response, HttpError> {
    let composition = app.executor.registry().get_compose(&name).ok_or_else(|| {
        FunctionError::from_code(ErrorCode::NotFound, format!("no composition is named `{name}`"))
    })?;
    let CallerThenBody(caller, body) = caller_and_body?;
    let ComposeBody {
        inputs: UniqueMap(mut inputs),
        revs: UniqueMap(revs),
    } = body.parse::<Option<ComposeBody<'_>>>()?.unwrap_or_default();
    if let Some(stray) = inputs
        .keys()
        .chain(revs.keys())
        .find(|k| !composition.members().iter().any(|member| member == k.as_ref()))
    {
        return Err(FunctionError::from_code(
            ErrorCode::BadRequest,
            format!("`{stray}` is not a member of the composition `{name}`"),
        )
        .into());
    }
    let members = composition.members();
    let calls = members.iter().map(|member| {
        let input = inputs.remove(member.as_str()).map(|raw| body.slice(raw));
        (member.as_str(), CallInput::Json(input.unwrap_or_default()))
    });
    let outcomes = app.executor.execute_all(&caller, calls).await;
    let results = members.iter().map(String::as_str).zip(outcomes.iter());
    let body = compose_results(results);
    Ok(members_response(body, outcomes))
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use proptest::prelude::*;

    use super::*;
    use crate::extract::StrictJson;
    use crate::extract::strictness::{agree, body, object, reference, value};

    fn composition() -> BoxedStrategy<String> {
        let members = |value: fn() -> BoxedStrategy<String>| {
            object(vec![("add", value()), ("\\u0061dd", value()), ("add2", value())])
        };
        let rev = || prop_oneof![Just("7".to_owned()), Just("-1".to_owned()), value()].boxed();
        body(vec![
            ("inputs", members(value)),
            ("revs", members(rev)),
            ("\\u0069nputs", value()),
            ("other", value()),
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn a_composition_is_read_as_strictly_as_the_reference_reads_it(text in composition()) {
            let body = StrictJson(Bytes::from(text.clone()));
            agree(
                &text,
                body.parse::<Option<ComposeBody<'_>>>(),
                reference::<Option<ComposeBody<'_>>>(text.as_bytes()),
            )?;
        }
    }
}

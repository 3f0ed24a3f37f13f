//! `POST /compose/{name}`: `{"inputs": {MEMBER: INPUT, ...}}` (optional; a missing input is
//! `null`) -> `{"results": {MEMBER: ENVELOPE, ...}}`; members run concurrently, each
//! authorized and cached on its own. The optional `"revs": {MEMBER: N}` names the
//! revisions the caller knows, for an edge's keys; the origin only checks its members.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use mizan_core::executor::{Caller, compose_results};
use mizan_core::{ErrorCode, FunctionError};
use serde::Deserialize;
use serde_json::Value;

use crate::error::HttpError;
use crate::extract::{JsonBody, Name};
use crate::respond::members_response;
use crate::state::AppState;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct ComposeBody {
    #[serde(default)]
    inputs: BTreeMap<String, Value>,
    #[serde(default)]
    revs: BTreeMap<String, u64>,
}

// An unknown composition is reported before a bad token or body, so both are taken as
// results and checked after the name.
pub(super) async fn post(
    State(app): State<AppState>,
    Name(name): Name,
    caller: Result<Caller, HttpError>,
    body: Result<JsonBody<Option<ComposeBody>>, HttpError>,
) -> Result<Response, HttpError> {
    let composition = app.executor.registry().get_compose(&name).ok_or_else(|| {
        FunctionError::from_code(ErrorCode::NotFound, format!("no composition is named `{name}`"))
    })?;
    let caller = caller?;
    let JsonBody(body) = body?;
    let ComposeBody { mut inputs, revs } = body.unwrap_or_default();
    if let Some(stray) = inputs
        .keys()
        .chain(revs.keys())
        .find(|k| !composition.members().contains(k))
    {
        return Err(FunctionError::from_code(
            ErrorCode::BadRequest,
            format!("`{stray}` is not a member of the composition `{name}`"),
        )
        .into());
    }
    let members = composition.members();
    let calls = members
        .iter()
        .map(|member| (member.as_str(), inputs.remove(member).unwrap_or(Value::Null)));
    let outcomes = app.executor.execute_all(&caller, calls).await;
    let results = members.iter().map(String::as_str).zip(outcomes.iter());
    let body = compose_results(results);
    Ok(members_response(body, outcomes))
}

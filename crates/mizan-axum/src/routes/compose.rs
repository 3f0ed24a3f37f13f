//! `POST /compose/{name}`: `{"inputs": {MEMBER: INPUT, ...}}` (optional; a missing input is
//! `null`) -> `{"results": {MEMBER: ENVELOPE, ...}}`; members run concurrently, each
//! authorized and cached on its own.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::{BufMut, BytesMut};
use futures::future::join_all;
use mizan_core::{ErrorCode, FunctionError};
use serde::Deserialize;
use serde_json::Value;

use crate::body::{parse_json, read_body};
use crate::executor::{CallInput, Via};
use crate::respond::{error_response, json_response};
use crate::shared::Shared;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ComposeBody {
    #[serde(default)]
    inputs: BTreeMap<String, Value>,
}

pub(super) async fn post(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let parsed = async {
        let composition = shared.registry.get_compose(&name).ok_or_else(|| {
            FunctionError::from_code(ErrorCode::NotFound, format!("no composition is named `{name}`"))
        })?;
        let caller = shared.caller(&headers)?;
        let body = read_body(&headers, body, &shared.config.limits).await?;
        let body: Option<ComposeBody> = parse_json(&body, &shared.config.limits)?;
        let mut inputs = body.unwrap_or_default().inputs;
        if let Some(stray) = inputs.keys().find(|k| !composition.members().contains(k)) {
            return Err(FunctionError::from_code(
                ErrorCode::BadRequest,
                format!("`{stray}` is not a member of the composition `{name}`"),
            ));
        }
        let calls: Vec<(String, Value)> = composition
            .members()
            .iter()
            .map(|member| (member.clone(), inputs.remove(member).unwrap_or(Value::Null)))
            .collect();
        Ok::<_, FunctionError>((caller, calls))
    };
    let (caller, calls) = match parsed.await {
        Ok(parsed) => parsed,
        Err(error) => return error_response(&error),
    };
    let outcomes = join_all(calls.iter().map(|(member, input)| {
        let (shared, caller) = (&shared, &caller);
        async move {
            shared
                .execute(caller, member, CallInput::Value(input.clone()), Via::Post)
                .await
        }
    }))
    .await;

    let mut out = BytesMut::from(&b"{\"results\":{"[..]);
    for (i, ((member, _), outcome)) in calls.iter().zip(&outcomes).enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        out.put_slice(
            serde_json::to_string(member)
                .expect("a string serializes")
                .as_bytes(),
        );
        out.put_u8(b':');
        out.put_slice(&outcome.body);
    }
    out.put_slice(b"}}");
    json_response(200, out.freeze())
}

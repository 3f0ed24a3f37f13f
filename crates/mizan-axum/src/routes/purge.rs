//! `POST /purge` (`{"tags": [TAG, ...]}` -> `{"revisions": {TAG: N}}`, needs the purge
//! permission) and `GET /revisions?tags=a,b` (current revisions; public).

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{RawQuery, State};
use axum::response::Response;
use mizan_core::executor::Caller;
use mizan_core::{Access, ErrorCode, FunctionError};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::HttpError;
use crate::extract::{StrictBody, StrictJson};
use crate::respond::json_response;
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PurgeBody {
    tags: Vec<String>,
}

impl StrictBody<'_> for PurgeBody {}

// The body is read only once the caller may purge, so it is taken as a result.
pub(super) async fn post(
    State(app): State<AppState>,
    caller: Caller,
    body: Result<StrictJson, HttpError>,
) -> Result<Response, HttpError> {
    let config = &app.config;
    // The same checks as a mutation that needs the purge permission.
    Access::permissions([config.purge_permission.as_str()]).check(caller.identity.as_deref(), "purge")?;
    caller.require_csrf(&config.csrf_header, "purge")?;
    let PurgeBody { tags } = body?.parse()?;
    if tags.is_empty() || tags.len() > config.limits.max_batch_calls {
        return Err(FunctionError::from_code(
            ErrorCode::BadRequest,
            format!("purge between 1 and {} tags", config.limits.max_batch_calls),
        )
        .into());
    }
    // A tag named twice is purged once (and answered once).
    let tags: BTreeSet<String> = tags.into_iter().collect();
    let revisions = app.executor.purge(tags.iter().map(String::as_str)).await;
    if revisions.len() < tags.len() {
        return Err(FunctionError::from_code(
            ErrorCode::Unavailable,
            "the cache backend is unavailable; some tags were not purged, retry",
        )
        .with_details(json!({ "revisions": revisions }))
        .into());
    }
    Ok(revisions_response(&revisions))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevisionsQuery {
    tags: String,
}

/// Most tags one revisions request may ask for.
const MAX_REVISION_TAGS: usize = 256;

// Public, but a present, invalid token fails it as it fails every endpoint (§2.1).
pub(super) async fn revisions(
    _: Caller,
    State(app): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, HttpError> {
    let query: RevisionsQuery =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).map_err(|err| {
            FunctionError::from_code(
                ErrorCode::BadRequest,
                format!("the query string must be `tags=a,b,c`: {err}"),
            )
        })?;
    let tags: Vec<&str> = query.tags.split(',').filter(|t| !t.is_empty()).collect();
    if tags.len() > MAX_REVISION_TAGS {
        return Err(FunctionError::from_code(
            ErrorCode::LimitExceeded,
            format!("ask for at most {MAX_REVISION_TAGS} tags at once"),
        )
        .into());
    }
    let revs = app.executor.revisions(&tags).await.map_err(|err| {
        tracing::warn!(%err, "revision read failed");
        FunctionError::from_code(ErrorCode::Unavailable, "the cache backend is unavailable")
    })?;
    let map: BTreeMap<&str, u64> = tags.into_iter().zip(revs).collect();
    Ok(revisions_response(&map))
}

/// `{"revisions": {TAG: N}}`.
fn revisions_response<K: Serialize + Ord>(revisions: &BTreeMap<K, u64>) -> Response {
    let body = serde_json::to_vec(&json!({ "revisions": revisions })).expect("revisions serialize");
    json_response(200, body.into())
}

//! `POST /purge` (`{"tags": [TAG, ...]}` -> `{"revisions": {TAG: N}}`, needs the purge
//! permission) and `GET /revisions?tags=a,b` (current revisions; public).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use mizan_core::{Access, ErrorCode, FunctionError};
use serde::Deserialize;
use serde_json::json;

use crate::body::{parse_json, read_body};
use crate::respond::{error_response, json_response};
use crate::shared::Shared;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PurgeBody {
    tags: Vec<String>,
}

pub(super) async fn post(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Body) -> Response {
    let result = async {
        let caller = shared.caller(&headers)?;
        // The same checks as a mutation that needs the purge permission.
        Access::permissions([shared.config.purge_permission.as_str()])
            .check(caller.identity.as_deref(), "purge")?;
        caller.require_csrf(&shared.config.csrf_header, "purge")?;
        let body = read_body(&headers, body, &shared.config.limits).await?;
        let PurgeBody { tags } = parse_json(&body, &shared.config.limits)?;
        if tags.is_empty() || tags.len() > shared.config.limits.max_batch_calls {
            return Err(FunctionError::from_code(
                ErrorCode::BadRequest,
                format!(
                    "purge between 1 and {} tags",
                    shared.config.limits.max_batch_calls
                ),
            ));
        }
        let revisions = shared.purge(tags.iter().map(String::as_str)).await;
        if revisions.len() < tags.len() {
            return Err(FunctionError::from_code(
                ErrorCode::Unavailable,
                "the cache backend is unavailable; some tags were not purged, retry",
            )
            .with_details(json!({ "revisions": revisions })));
        }
        Ok(revisions)
    };
    match result.await {
        Ok(revisions) => json_response(
            200,
            serde_json::to_vec(&json!({ "revisions": revisions }))
                .unwrap()
                .into(),
        ),
        Err(error) => error_response(&error),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevisionsQuery {
    tags: String,
}

/// Most tags one revisions request may ask for.
const MAX_REVISION_TAGS: usize = 256;

pub(super) async fn revisions(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let query: RevisionsQuery = match serde_urlencoded::from_str(query.as_deref().unwrap_or_default()) {
        Ok(query) => query,
        Err(err) => {
            return error_response(&FunctionError::from_code(
                ErrorCode::BadRequest,
                format!("the query string must be `tags=a,b,c`: {err}"),
            ));
        }
    };
    let tags: Vec<&str> = query.tags.split(',').filter(|t| !t.is_empty()).collect();
    if tags.len() > MAX_REVISION_TAGS {
        return error_response(&FunctionError::from_code(
            ErrorCode::LimitExceeded,
            format!("ask for at most {MAX_REVISION_TAGS} tags at once"),
        ));
    }
    match shared.revisions.read(&tags).await {
        Ok(revs) => {
            let map: BTreeMap<&str, u64> = tags.into_iter().zip(revs).collect();
            json_response(
                200,
                serde_json::to_vec(&json!({ "revisions": map })).unwrap().into(),
            )
        }
        Err(err) => {
            shared.metrics.cache_error();
            tracing::warn!(%err, "revision read failed");
            error_response(&FunctionError::from_code(
                ErrorCode::Unavailable,
                "the cache backend is unavailable",
            ))
        }
    }
}

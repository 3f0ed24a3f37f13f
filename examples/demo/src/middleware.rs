//! The demo's middleware: `load_viewer` around every call (the signed-in user's record,
//! read once per call and attached to the context) and `audit` around each mutation (a
//! row in the `audit` table with who, what, the outcome and how long it took).

use std::sync::Arc;
use std::time::Instant;

use mizan::middleware::{Middleware, Next, middleware_fn};
use mizan::prelude::*;

use crate::db::{Db, now};

/// The signed-in caller's record, which `load_viewer` attaches to the context.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The user id (the token's `sub`).
    pub name: String,
    /// The name to show.
    pub display_name: String,
}

impl Viewer {
    /// The record `load_viewer` attached; `internal` (a missing middleware is a server
    /// bug) when there is none.
    pub fn of(ctx: &Ctx) -> Result<&Self, FunctionError> {
        ctx.get::<Self>().ok_or_else(|| {
            tracing::error!("no Viewer in the context: is load_viewer installed?");
            FunctionError::internal()
        })
    }
}

/// A database error as middleware answers it: `internal`, the cause logged (the same
/// path `?` takes in a handler returning `mizan::Error`).
fn internal(err: sqlx::Error) -> FunctionError {
    mizan::Error::<std::convert::Infallible>::from(err).into_function_error()
}

/// Reads the signed-in caller's `users` row and attaches it as a [`Viewer`]. A token for
/// a user whose record is gone is refused with `unauthenticated`.
pub fn load_viewer() -> Arc<dyn Middleware> {
    middleware_fn(|mut ctx: Ctx, next: Next| async move {
        if let Some(user_id) = ctx.identity().map(|i| i.user_id.clone()) {
            let row = sqlx::query("SELECT name, display_name FROM users WHERE name = $1")
                .bind(user_id)
                .fetch_optional(ctx.state::<Db>()?.pool())
                .await
                .map_err(internal)?
                .ok_or_else(|| {
                    FunctionError::from_code(
                        mizan::ErrorCode::Unauthenticated,
                        "this account no longer exists",
                    )
                })?;
            let viewer = Viewer {
                name: sqlx::Row::try_get(&row, "name").map_err(internal)?,
                display_name: sqlx::Row::try_get(&row, "display_name").map_err(internal)?,
            };
            ctx.insert(viewer);
        }
        next.run(ctx).await
    })
}

/// Writes one `audit` row per call of the function it wraps, after the handler ran: the
/// caller, the function, `ok` or the error code, and the handler's time in microseconds.
/// A failed audit write is logged and does not fail the call it describes.
pub fn audit() -> Arc<dyn Middleware> {
    middleware_fn(|ctx: Ctx, next: Next| async move {
        let function = next.target().name().to_owned();
        let user = ctx.identity().map(|i| i.user_id.clone());
        let db = ctx.state::<Db>()?.clone();
        let started = Instant::now();
        let result = next.run(ctx).await;
        let duration_us = i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX);
        let outcome = result
            .as_ref()
            .map_or_else(|err| err.code().to_owned(), |_| "ok".to_owned());
        tracing::info!(function, user, outcome, duration_us, "mutation");
        let written = sqlx::query(
            "INSERT INTO audit (at, user_id, function, outcome, duration_us) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(now())
        .bind(user)
        .bind(function)
        .bind(outcome)
        .bind(duration_us)
        .execute(db.pool())
        .await;
        if let Err(err) = written {
            tracing::error!(%err, "the audit row was not written");
        }
        result
    })
}

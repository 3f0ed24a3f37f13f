//! Step 3, cache slot: where a call's result lives in the cache, and whether it is there.

use std::future::Future;

use serde_json::Value;
use smallvec::SmallVec;

use super::{CacheStatus, CachedMeta, CallInput, Caller, Executor, Outcome};
use crate::error::{ErrorCode, FunctionError};
use crate::function::{CacheScope, ServerFunction};
use crate::keys::KeyScope;

/// Where a call's result lives, if anywhere.
pub(super) enum CacheSlot {
    /// Not a cached function.
    Off,
    /// Cacheable, but not now: the revision could not be read, or a per-user result has no
    /// user.
    Bypass,
    /// The key the result is stored under, and the facts the response reports.
    Keyed { key: String, meta: CachedMeta },
}

impl CacheSlot {
    /// What the cache did when the call fails after this slot was found.
    pub(super) fn status_on_error(&self) -> CacheStatus {
        match self {
            Self::Off => CacheStatus::Off,
            Self::Bypass => CacheStatus::Bypass,
            Self::Keyed { .. } => CacheStatus::Miss,
        }
    }
}

impl Executor {
    /// The slot of `f` called with `input` by `caller`: the scope picks whose result it is
    /// (everyone's, the permission set's, the user's), the revision of `f`'s tags makes
    /// every purge move it to a new key.
    ///
    /// # Errors
    ///
    /// `validation_failed` when the input has no canonical form (a number JSON cannot
    /// keep exactly, for one).
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn keeps a second copy of its arguments"
    )]
    pub(super) fn cache_slot<'a>(
        &'a self,
        caller: &'a Caller,
        f: &'a ServerFunction,
        input: &'a CallInput,
    ) -> impl Future<Output = Result<CacheSlot, FunctionError>> + 'a {
        async move {
            let CallInput::Value(input) = input else {
                return Ok(CacheSlot::Off);
            };
            let policy = f.cache();
            let (scope, who) = match (policy.scope(), caller.identity.as_deref()) {
                (CacheScope::None, _) => return Ok(CacheSlot::Off),
                (CacheScope::Public, _) => (KeyScope::Public, ""),
                (CacheScope::Permission, Some(identity)) => {
                    (KeyScope::Permission, identity.permission_key.as_str())
                }
                (CacheScope::Permission, None) => {
                    (KeyScope::Permission, self.anonymous_permission_key.as_str())
                }
                (CacheScope::User, Some(identity)) => (KeyScope::User, identity.user_id.as_str()),
                (CacheScope::User, None) => return Ok(CacheSlot::Bypass),
            };
            let Some(rev) = self.revision_of(f).await else {
                return Ok(CacheSlot::Bypass);
            };
            let key = self.key(f, input, scope, who, rev)?;
            Ok(CacheSlot::Keyed {
                key,
                meta: CachedMeta {
                    rev,
                    scope: policy.scope(),
                    ttl_secs: policy.ttl_value().map(|ttl| ttl.as_secs()),
                },
            })
        }
    }

    fn key(
        &self,
        f: &ServerFunction,
        input: &Value,
        scope: KeyScope,
        who: &str,
        rev: u64,
    ) -> Result<String, FunctionError> {
        self.keys
            .cache_key(f.name(), input, scope, who, rev)
            .map_err(|err| {
                FunctionError::from_code(
                    ErrorCode::ValidationFailed,
                    format!("the input cannot be cached: {err}"),
                )
            })
    }

    /// The function's revision: the sum of its tags' revisions, so a purge of any tag
    /// moves it forward. `None` when the backend failed (logged and counted).
    async fn revision_of(&self, f: &ServerFunction) -> Option<u64> {
        let tags: SmallVec<[&str; 4]> = f.cache_tags().collect();
        match self.revisions.read(&tags).await {
            Ok(revs) => Some(revs.iter().sum()),
            Err(err) => {
                self.metrics.cache_error();
                tracing::warn!(%err, "revision read failed; bypassing the cache");
                None
            }
        }
    }

    /// The stored envelope of a keyed slot, as a hit; a backend failure is a miss.
    pub(super) async fn lookup(&self, slot: &CacheSlot) -> Option<Outcome> {
        let CacheSlot::Keyed { key, meta } = slot else {
            return None;
        };
        match self.cache.get(key).await {
            Ok(Some(data)) => Some(Outcome::success(data, CacheStatus::Hit, Some(*meta))),
            Ok(None) => None,
            Err(err) => {
                self.metrics.cache_error();
                tracing::warn!(%err, "cache read failed; treating as a miss");
                None
            }
        }
    }
}

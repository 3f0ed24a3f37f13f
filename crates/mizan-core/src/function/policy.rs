//! What a function allows and how its results may be cached.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};

use super::context::Identity;
use crate::error::{ErrorCode, FunctionError};

/// Whether a function reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionKind {
    /// Reads: may be cached and sent as GET.
    Query,
    /// Writes: never cached, always POST.
    Mutation,
}

/// Who may share a cached result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheScope {
    /// Not cached.
    #[default]
    None,
    /// One entry for everyone; shared caches (CDNs) may keep it.
    Public,
    /// One entry per permission set: users with the same permissions share it.
    Permission,
    /// One entry per user.
    User,
}

impl CacheScope {
    /// The wire name (`none`, `public`, `permission`, `user`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Public => "public",
            Self::Permission => "permission",
            Self::User => "user",
        }
    }
}

/// How a query's results are cached.
///
/// ```
/// use std::time::Duration;
/// use mizan_core::{CachePolicy, CacheScope};
///
/// let policy = CachePolicy::public().ttl(Duration::from_secs(60)).tags(["posts"]);
/// assert_eq!(policy.scope(), CacheScope::Public);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CachePolicy {
    scope: CacheScope,
    ttl: Option<Duration>,
    tags: Vec<String>,
}

impl CachePolicy {
    /// Not cached (the default).
    pub fn none() -> Self {
        Self::default()
    }

    /// Cached for everyone.
    pub fn public() -> Self {
        Self::scoped(CacheScope::Public)
    }

    /// Cached per permission set.
    pub fn permission() -> Self {
        Self::scoped(CacheScope::Permission)
    }

    /// Cached per user.
    pub fn user() -> Self {
        Self::scoped(CacheScope::User)
    }

    /// Cached with the given scope.
    pub fn scoped(scope: CacheScope) -> Self {
        Self {
            scope,
            ..Self::default()
        }
    }

    /// How long an entry lives; without it the backend's default applies.
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// Tags whose purge invalidates this function's entries. The function's own name is
    /// always an implicit tag.
    #[must_use]
    pub fn tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// The scope.
    pub fn scope(&self) -> CacheScope {
        self.scope
    }

    /// The time to live, if set.
    pub fn ttl_value(&self) -> Option<Duration> {
        self.ttl
    }

    /// The declared tags (without the implicit function-name tag).
    pub fn tag_list(&self) -> &[String] {
        &self.tags
    }

    /// Whether results are cached at all.
    pub fn is_cached(&self) -> bool {
        self.scope != CacheScope::None
    }
}

/// Who may call a function.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Access {
    /// Anyone, with or without a token.
    #[default]
    Public,
    /// Any caller with a valid token.
    Authenticated,
    /// Callers whose token grants every listed permission.
    Permissions(Vec<String>),
}

impl Access {
    /// Requires every listed permission.
    pub fn permissions<I, S>(perms: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::Permissions(perms.into_iter().map(Into::into).collect())
    }

    /// Whether a token is needed.
    pub fn requires_identity(&self) -> bool {
        !matches!(self, Self::Public)
    }

    /// The rule's entry in the schema document (`access` of functions and channels,
    /// `spec/SCHEMA.md`).
    pub fn schema_entry(&self) -> Value {
        match self {
            Self::Public => json!({ "kind": "public" }),
            Self::Authenticated => json!({ "kind": "authenticated" }),
            Self::Permissions(perms) => json!({ "kind": "permissions", "permissions": perms }),
        }
    }

    /// Checks `identity` against the rule; `subject` names what is guarded (`` `get_post` ``,
    /// `` channel `chat_room` ``) in the error message.
    ///
    /// # Errors
    ///
    /// `unauthenticated` without an identity where one is needed, `forbidden` naming the
    /// first missing permission.
    pub fn check(
        &self,
        identity: Option<&Identity>,
        subject: impl fmt::Display,
    ) -> Result<(), FunctionError> {
        let required = match self {
            Self::Public => return Ok(()),
            Self::Authenticated => &[][..],
            Self::Permissions(perms) => perms.as_slice(),
        };
        let identity = identity.ok_or_else(|| {
            FunctionError::from_code(
                ErrorCode::Unauthenticated,
                format!("{subject} needs a valid token"),
            )
        })?;
        if let Some(missing) = required.iter().find(|p| !identity.permissions.contains(*p)) {
            return Err(FunctionError::from_code(
                ErrorCode::Forbidden,
                format!("{subject} needs the permission `{missing}`"),
            ));
        }
        Ok(())
    }
}

//! The builder methods every guarded, documented thing shares: functions and channels
//! both take a description and an access rule, written once here and expanded into each
//! builder (as inherent methods, so a call needs no trait in scope).

/// A description as stored: trimmed, and `None` when nothing is left.
pub(crate) fn description_text(text: String) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Expands to `description`, `access`, `authenticated` and `permissions` for a builder
/// with the fields `description: Option<String>` and `access: Access`.
macro_rules! description_and_access_methods {
    () => {
        /// Documentation carried into the schema, the OpenAPI document and generated code.
        pub fn description(mut self, text: impl Into<String>) -> Self {
            self.description = $crate::function::builder::description_text(text.into());
            self
        }

        /// Who may call it (for a channel: subscribe and send; checked before its
        /// authorize hook).
        pub fn access(mut self, access: $crate::function::policy::Access) -> Self {
            self.access = access;
            self
        }

        /// Shorthand for [`Access::Authenticated`](crate::Access::Authenticated).
        pub fn authenticated(self) -> Self {
            self.access($crate::function::policy::Access::Authenticated)
        }

        /// Shorthand for [`Access::permissions`](crate::Access::permissions).
        pub fn permissions<I, S>(self, perms: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.access($crate::function::policy::Access::permissions(perms))
        }
    };
}

pub(crate) use description_and_access_methods;

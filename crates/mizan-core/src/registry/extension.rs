//! The hook through which channels and other subsystems join a registry.

use std::any::Any;

use serde_json::Value;

/// Top-level keys of the schema document; an extension may not take one of them.
pub const RESERVED_KEYS: &[&str] = &[
    "version",
    "functions",
    "compositions",
    "contexts",
    "error_codes",
    "forms",
];

/// A subsystem that lives in the registry beside the functions (channels are one).
///
/// Its [`schema`](Self::schema) is placed in the registry's schema under the name it was
/// registered with; [`clear`](Self::clear) is called by `Registry::clear_registry`.
pub trait RegistryExtension: Any + Send + Sync {
    /// This extension's section of the schema document.
    fn schema(&self) -> Value;

    /// Forgets everything the extension holds.
    fn clear(&mut self);

    /// Problems that `validate_registry` should report, each phrased as a fix.
    fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}

//! The schema document: the registry as one versioned, deterministic JSON value that
//! codegen, the OpenAPI exporter and code review read. Field by field in `spec/SCHEMA.md`.
//!
//! It sits above the registry and the forms: [`Registry::get_schema`] is defined here, so
//! the registry needs to know nothing of the document, and the `forms` section is derived
//! from the functions' `meta.form` by the forms module. The `channels` section is always
//! there: every adapter serves the system channel `mizan_revisions`, with or without a
//! `Channels` extension of the application's.

use serde_json::{Map, Value, json};

use crate::channels::{CHANNELS_EXTENSION, Channels};
use crate::error::ErrorCode;
use crate::forms::forms_section;
use crate::function::{FunctionKind, ServerFunction};
use crate::registry::RegistryExtension;
use crate::registry::{RESERVED_KEYS, Registry};

/// The schema document's format version; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

impl Registry {
    /// A compact listing: function names by kind, compositions with members, extensions.
    pub fn get_registry(&self) -> Value {
        registry_listing(self)
    }

    /// The full, versioned schema document (see `spec/SCHEMA.md`).
    pub fn get_schema(&self) -> Value {
        schema_document(self)
    }
}

fn schema_document(registry: &Registry) -> Value {
    let functions: Map<String, Value> = registry
        .get_all_functions()
        .map(|f| (f.name().to_owned(), function_entry(f)))
        .collect();
    let compositions: Map<String, Value> = registry
        .get_all_compositions()
        .map(|c| (c.name().to_owned(), json!({ "members": c.members() })))
        .collect();
    let contexts: Map<String, Value> = registry
        .get_context_groups()
        .into_iter()
        .map(|(context, members)| (context.to_owned(), json!(members)))
        .collect();

    let mut document = Map::new();
    document.insert("version".into(), json!(SCHEMA_VERSION));
    document.insert("functions".into(), Value::Object(functions));
    document.insert("compositions".into(), Value::Object(compositions));
    document.insert("contexts".into(), Value::Object(contexts));
    document.insert("error_codes".into(), error_code_table());
    document.insert("forms".into(), forms_section(registry));
    for (name, extension) in registry.extensions() {
        // A reserved name is reported by validate_registry; never let it overwrite a key.
        if !RESERVED_KEYS.contains(&name.as_str()) {
            document.insert(name.clone(), extension.schema());
        }
    }
    document
        .entry(CHANNELS_EXTENSION)
        .or_insert_with(|| Channels::new().schema());
    Value::Object(document)
}

fn function_entry(f: &ServerFunction) -> Value {
    let cache = f.cache();
    json!({
        "kind": f.kind(),
        "description": f.description(),
        "context": f.context(),
        "input": f.input_schema(),
        "output": f.output_schema(),
        "error": f.error_schema(),
        "cache": {
            "scope": cache.scope().as_str(),
            "ttl_seconds": cache.ttl_value().map(|ttl| ttl.as_secs()),
            "tags": f.cache_tags().collect::<Vec<_>>(),
        },
        "access": f.access().schema_entry(),
        "invalidates": f.invalidates(),
        "meta": f.meta(),
    })
}

/// The framework's error codes with status and meaning, for generated code tables.
pub fn error_code_table() -> Value {
    ErrorCode::ALL
        .iter()
        .map(|code| {
            let entry = json!({ "status": code.status(), "description": code.description() });
            (code.as_str().to_owned(), entry)
        })
        .collect::<Map<_, _>>()
        .into()
}

fn registry_listing(registry: &Registry) -> Value {
    let names = |kind| {
        registry
            .get_all_functions()
            .filter(|f| f.kind() == kind)
            .map(ServerFunction::name)
            .collect::<Vec<_>>()
    };
    json!({
        "queries": names(FunctionKind::Query),
        "mutations": names(FunctionKind::Mutation),
        "compositions": registry
            .get_all_compositions()
            .map(|c| (c.name().to_owned(), json!(c.members())))
            .collect::<Map<_, _>>(),
        "extensions": registry.get_extension_names().collect::<Vec<_>>(),
    })
}

//! The OpenAPI 3.1 document of a registry: one path per function (POST, and GET for
//! queries), the envelope and error shapes as components.
//!
//! Function schemas are self-contained JSON Schemas with their own `$defs`; OpenAPI resolves
//! `#/...` references from the document root, so every `$defs` entry is hoisted into
//! `components/schemas` and its references rewritten.

use serde_json::{Map, Value, json};

use mizan_core::{FunctionKind, Registry, ServerFunction, error_code_table};

pub(crate) fn document(registry: &Registry) -> Value {
    let mut components = Map::new();
    components.insert("ErrorEnvelope".into(), error_envelope_schema());
    let mut paths = Map::new();
    for f in registry.get_all_functions() {
        let input = hoist(f.input_schema(), &mut components);
        let output = hoist(f.output_schema(), &mut components);
        paths.insert(format!("/call/{}", f.name()), path_item(f, input, output));
    }
    for c in registry.get_all_compositions() {
        paths.insert(
            format!("/compose/{}", c.name()),
            json!({ "post": {
                "operationId": format!("compose.{}", c.name()),
                "summary": format!("Fetches {} together", c.members().join(", ")),
                "requestBody": { "required": false, "content": { "application/json": { "schema": {
                    "type": "object",
                    "properties": { "inputs": { "type": "object" } },
                }}}},
                "responses": { "200": json_content(json!({ "type": "object" }), "One envelope per member") },
            }}),
        );
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Mizan functions", "version": mizan_core::SCHEMA_VERSION.to_string() },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": { "mwt": { "type": "http", "scheme": "bearer", "bearerFormat": "MWT" } },
        },
        "x-mizan-error-codes": error_code_table(),
    })
}

fn path_item(f: &ServerFunction, input: Value, output: Value) -> Value {
    let mut success = json!({ "type": "object", "required": ["data"], "properties": { "data": output } });
    if f.cache().is_cached() {
        success["properties"]["rev"] = json!({ "type": "integer", "minimum": 0 });
    }
    let mut operation = json!({
        "operationId": f.name(),
        "responses": {
            "200": json_content(success, "The function's output"),
            "default": json_content(json!({ "$ref": "#/components/schemas/ErrorEnvelope" }), "An error envelope"),
        },
    });
    if let Some(description) = f.description() {
        operation["description"] = json!(description);
    }
    if f.access().requires_identity() {
        operation["security"] = json!([{ "mwt": [] }]);
    }
    let mut post = operation.clone();
    post["requestBody"] =
        json!({ "required": false, "content": { "application/json": { "schema": input } } });
    let mut item = json!({ "post": post });
    if f.kind() == FunctionKind::Query {
        let mut get = operation;
        get["operationId"] = json!(format!("{}.get", f.name()));
        get["parameters"] = json!([
            { "name": "input", "in": "query", "required": false,
              "content": { "application/json": { "schema": input } } },
            { "name": "rev", "in": "query", "required": false,
              "schema": { "type": "integer", "minimum": 0 } },
        ]);
        item["get"] = get;
    }
    item
}

fn json_content(schema: Value, description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn error_envelope_schema() -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": { "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": { "type": "string" },
                "message": { "type": "string" },
                "fields": { "type": "array", "items": {
                    "type": "object",
                    "required": ["path", "code", "message"],
                    "properties": {
                        "path": { "type": "string" },
                        "code": { "type": "string" },
                        "message": { "type": "string" },
                    },
                }},
                "details": {},
            },
        }},
    })
}

/// Moves `$defs` into `components`, renaming on a clash with a different definition, and
/// returns the schema with references pointing there.
fn hoist(schema: &Value, components: &mut Map<String, Value>) -> Value {
    let mut schema = schema.clone();
    let mut renames = Vec::new();
    if let Some(Value::Object(defs)) = schema.as_object_mut().and_then(|o| o.remove("$defs")) {
        for (name, def) in defs {
            let mut target = name.clone();
            let mut n = 2;
            while components.get(&target).is_some_and(|existing| existing != &def) {
                target = format!("{name}{n}");
                n += 1;
            }
            components.insert(target.clone(), def);
            renames.push((name, target));
        }
    }
    if let Some(object) = schema.as_object_mut() {
        object.remove("$schema");
    }
    rewrite_refs(&mut schema, &renames);
    for (_, target) in &renames {
        if let Some(mut def) = components.get(target).cloned() {
            rewrite_refs(&mut def, &renames);
            components.insert(target.clone(), def);
        }
    }
    schema
}

fn rewrite_refs(value: &mut Value, renames: &[(String, String)]) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get_mut("$ref") {
                if let Some(name) = reference.strip_prefix("#/$defs/") {
                    let target = renames
                        .iter()
                        .find(|(from, _)| from == name)
                        .map_or(name, |(_, to)| to);
                    *reference = format!("#/components/schemas/{target}");
                }
            }
            object.values_mut().for_each(|v| rewrite_refs(v, renames));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, renames)),
        _ => {}
    }
}

//! The OpenAPI 3.1 document of a registry: one path per function (POST, and GET for
//! queries) with its typed error details, one per composition, the batch, purge,
//! revisions and document endpoints, the envelope and error shapes as components, and the
//! security schemes of §2.1 (a bearer MWT, or the cookie with the CSRF header on writes).
//!
//! Function schemas are self-contained JSON Schemas with their own `$defs`; OpenAPI resolves
//! `#/...` references from the document root, so every `$defs` entry is hoisted into
//! `components/schemas` and its references rewritten.

use serde_json::{Map, Value, json};

use mizan_core::{FunctionKind, Registry, ServerFunction, error_code_table};

use crate::config::Config;

pub(crate) fn document(registry: &Registry, config: &Config) -> Value {
    let mut components = Map::new();
    components.insert("ErrorEnvelope".into(), error_envelope_schema());
    components.insert("Envelope".into(), envelope_schema());
    components.insert("Revisions".into(), revisions_schema());
    let mut paths = Map::new();
    for f in registry.get_all_functions() {
        let input = hoist(f.input_schema(), &mut components);
        let output = hoist(f.output_schema(), &mut components);
        let error = f.error_schema().map(|details| hoist(details, &mut components));
        paths.insert(format!("/call/{}", f.name()), path_item(f, input, output, error));
    }
    for c in registry.get_all_compositions() {
        let members: Map<String, Value> = c
            .members()
            .iter()
            .map(|m| (m.clone(), json!({ "$ref": "#/components/schemas/Envelope" })))
            .collect();
        paths.insert(
            format!("/compose/{}", c.name()),
            json!({ "post": {
                "operationId": format!("compose.{}", c.name()),
                "summary": format!("Fetches {} together", c.members().join(", ")),
                "requestBody": { "required": false, "content": { "application/json": { "schema": {
                    "type": ["object", "null"],
                    "additionalProperties": false,
                    "properties": { "inputs": {
                        "type": "object",
                        "propertyNames": { "enum": c.members() },
                    }},
                }}}},
                "security": optional_security(false),
                "responses": responses(json_content(
                    json!({ "type": "object", "required": ["results"], "properties": {
                        "results": { "type": "object", "properties": members },
                    }}),
                    "One envelope per member",
                )),
            }}),
        );
    }
    paths.extend(endpoints(config));
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Mizan functions", "version": mizan_core::SCHEMA_VERSION.to_string() },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "mwt": { "type": "http", "scheme": "bearer", "bearerFormat": "MWT" },
                "cookie": { "type": "apiKey", "in": "cookie", "name": config.cookie_name },
                "csrf": {
                    "type": "apiKey", "in": "header", "name": config.csrf_header,
                    "description": "Any value; a cookie-authenticated mutation or purge needs it (§2.1).",
                },
            },
        },
        "x-mizan-error-codes": error_code_table(),
    })
}

/// `document` as served under `base` (`/mizan`, or empty at the root): with `servers` set to
/// it, since the paths are relative to where the router is mounted.
pub(crate) fn served(document: &Value, base: &str) -> bytes::Bytes {
    let mut document = document.clone();
    let url = if base.is_empty() { "/" } else { base };
    document["servers"] = json!([{ "url": url }]);
    serde_json::to_vec(&document).expect("openapi serializes").into()
}

/// The endpoints besides functions and compositions: batch, purge, revisions, documents.
fn endpoints(config: &Config) -> Map<String, Value> {
    let document = |id: &str, summary: &str| {
        json!({ "get": {
            "operationId": id, "summary": summary, "security": optional_security(false),
            "responses": responses(json_content(json!({ "type": "object" }), summary)),
        }})
    };
    let max = config.limits.max_batch_calls;
    let mut paths = Map::new();
    paths.insert(
        "/batch".into(),
        json!({ "post": {
            "operationId": "mizan.batch",
            "summary": "Runs several calls concurrently; one envelope per call, in order",
            "security": optional_security(false),
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object", "required": ["calls"], "additionalProperties": false,
                "properties": { "calls": { "type": "array", "maxItems": max, "items": {
                    "type": "object", "required": ["fn"], "additionalProperties": false,
                    "properties": { "fn": { "type": "string" }, "input": {} },
                }}},
            }}}},
            "responses": responses(json_content(
                json!({ "type": "object", "required": ["results"], "properties": {
                    "results": { "type": "array", "items": { "$ref": "#/components/schemas/Envelope" } },
                }}),
                "One envelope per call",
            )),
        }}),
    );
    paths.insert("/purge".into(), json!({ "post": {
        "operationId": "mizan.purge",
        "summary": format!("Bumps the revisions of tags; needs the `{}` permission", config.purge_permission),
        "security": required_security(true),
        "requestBody": { "required": true, "content": { "application/json": { "schema": {
            "type": "object", "required": ["tags"], "additionalProperties": false,
            "properties": { "tags": {
                "type": "array", "minItems": 1, "maxItems": max, "items": { "type": "string" },
            }},
        }}}},
        "responses": responses(json_content(
            json!({ "$ref": "#/components/schemas/Revisions" }),
            "The new revisions",
        )),
    }}));
    paths.insert(
        "/revisions".into(),
        json!({ "get": {
            "operationId": "mizan.revisions",
            "summary": "The current revisions of tags",
            "security": optional_security(false),
            "parameters": [{ "name": "tags", "in": "query", "required": true,
                "description": "Comma-separated tags", "schema": { "type": "string" } }],
            "responses": responses(json_content(
                json!({ "$ref": "#/components/schemas/Revisions" }),
                "The revisions",
            )),
        }}),
    );
    paths.insert("/schema".into(), document("mizan.schema", "The schema document"));
    paths.insert("/openapi.json".into(), document("mizan.openapi", "This document"));
    paths
}

/// Anonymous callers allowed; a token, if present, must be valid.
fn optional_security(writes: bool) -> Value {
    let mut alternatives = required_security(writes);
    if let Some(alternatives) = alternatives.as_array_mut() {
        alternatives.push(json!({}));
    }
    alternatives
}

/// A bearer token, or the cookie (with the CSRF header when the call writes).
fn required_security(writes: bool) -> Value {
    if writes {
        json!([{ "mwt": [] }, { "cookie": [], "csrf": [] }])
    } else {
        json!([{ "mwt": [] }, { "cookie": [] }])
    }
}

/// A success response and the error envelope for everything else.
fn responses(success: Value) -> Value {
    json!({
        "200": success,
        "default": json_content(json!({ "$ref": "#/components/schemas/ErrorEnvelope" }), "An error envelope"),
    })
}

fn path_item(f: &ServerFunction, input: Value, output: Value, error: Option<Value>) -> Value {
    let mut success = json!({ "type": "object", "required": ["data"], "properties": { "data": output } });
    if f.cache().is_cached() {
        success["properties"]["rev"] = json!({ "type": "integer", "minimum": 0 });
    }
    let mut operation = json!({
        "operationId": f.name(),
        "responses": responses(json_content(success, "The function's output")),
    });
    if let Some(details) = error {
        // The function's typed errors carry these details; the built-in errors their own.
        operation["responses"]["default"] = json_content(
            json!({ "allOf": [
                { "$ref": "#/components/schemas/ErrorEnvelope" },
                { "properties": { "error": { "properties": { "details": {
                    "anyOf": [details, { "type": "object", "required": ["reason"],
                        "properties": { "reason": { "type": "string" } } }],
                }}}}},
            ]}),
            "An error envelope; the function's own errors carry typed details",
        );
    }
    if let Some(description) = f.description() {
        operation["description"] = json!(description);
    }
    let writes = f.kind() == FunctionKind::Mutation;
    operation["security"] = if f.access().requires_identity() {
        required_security(writes)
    } else {
        optional_security(writes)
    };
    // No input is `null`: an input that `null` does not satisfy must be sent.
    let required = !accepts_null(f.input_schema(), f.input_schema());
    let mut post = operation.clone();
    post["requestBody"] =
        json!({ "required": required, "content": { "application/json": { "schema": input } } });
    let mut item = json!({ "post": post });
    if f.kind() == FunctionKind::Query {
        let mut get = operation;
        get["operationId"] = json!(format!("{}.get", f.name()));
        get["parameters"] = json!([
            { "name": "input", "in": "query", "required": required,
              "content": { "application/json": { "schema": input } } },
            { "name": "rev", "in": "query", "required": false,
              "schema": { "type": "integer", "minimum": 0, "maximum": u64::MAX } },
        ]);
        item["get"] = get;
    }
    item
}

/// Whether `null` satisfies `schema` (a function's self-contained input schema, `root` its
/// top, where its `#/$defs/...` references point). Undecided shapes count as no: then the
/// document asks for an input the server might not have needed, never the reverse.
fn accepts_null(schema: &Value, root: &Value) -> bool {
    let Value::Object(schema) = schema else {
        return schema == &Value::Bool(true);
    };
    if let Some(Value::String(reference)) = schema.get("$ref") {
        let target = reference
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer));
        return target.is_some_and(|target| accepts_null(target, root));
    }
    let branches = |key: &str| schema.get(key).and_then(Value::as_array);
    if let Some(any) = branches("anyOf").or_else(|| branches("oneOf")) {
        return any.iter().any(|branch| accepts_null(branch, root));
    }
    match schema.get("type") {
        None => {
            !schema.contains_key("allOf") && !schema.contains_key("enum") && !schema.contains_key("const")
        }
        Some(Value::String(ty)) => ty == "null",
        Some(Value::Array(types)) => types.iter().any(|ty| ty == "null"),
        Some(_) => false,
    }
}

fn json_content(schema: Value, description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

/// Any envelope: a success (`data`, and `rev` for a cached query) or an error.
fn envelope_schema() -> Value {
    json!({ "oneOf": [
        { "type": "object", "required": ["data"], "properties": {
            "data": {}, "rev": { "type": "integer", "minimum": 0 },
        }},
        { "$ref": "#/components/schemas/ErrorEnvelope" },
    ]})
}

fn revisions_schema() -> Value {
    json!({ "type": "object", "required": ["revisions"], "properties": {
        "revisions": { "type": "object", "additionalProperties": { "type": "integer", "minimum": 0 } },
    }})
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

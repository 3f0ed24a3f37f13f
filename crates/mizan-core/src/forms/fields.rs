//! Field definitions: a form's input schema read as the fields a form shows.

use serde::Serialize;
use serde_json::{Map, Value};

/// The JSON Schema keywords copied into [`FieldDef::constraints`]: every rule a form type
/// can state that a client checks on one value.
pub const CONSTRAINT_KEYWORDS: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
];

/// How deep nested objects are expanded; a recursive type stops here.
const MAX_DEPTH: usize = 8;

/// One field of a form, as the schema document's `forms` section lists it.
///
/// Constraints use JSON Schema's keyword names and values, so a client validates a field
/// with the same rules as the full input schema (`functions["<form>.submit"].input`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDef {
    /// The field's wire name; empty for a list's item definition.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The JSON type: `string`, `integer`, `number`, `boolean`, `object`, `array`, or `any`
    /// when the schema does not fix one.
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether the field must be present.
    pub required: bool,
    /// Whether `null` is accepted (an `Option` field).
    pub nullable: bool,
    /// The value used when the field is absent, if the type declares one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// A short label (`#[schemars(title = ..)]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Help text (the field's doc comment, or `#[schemars(description = ..)]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The field's JSON Schema constraints (see [`CONSTRAINT_KEYWORDS`]).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub constraints: Map<String, Value>,
    /// The allowed values, for a choice (a unit-variant enum).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<Value>>,
    /// The fields of a nested object, in declaration order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Self>,
    /// The definition of a list's items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<Self>>,
}

/// The fields of the object `schema` describes (a root schema, with its `$defs`).
pub(crate) fn fields_of(schema: &Value) -> Vec<FieldDef> {
    let Some(root) = schema.as_object() else {
        return Vec::new();
    };
    let (resolved, _) = resolve(root.clone(), root);
    object_fields(&resolved, root, 0)
}

fn object_fields(schema: &Map<String, Value>, root: &Map<String, Value>, depth: usize) -> Vec<FieldDef> {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    properties
        .iter()
        .map(|(name, property)| {
            let mut field = field_def(property, root, depth);
            field.name = name.clone();
            field.required = required.contains(&name.as_str());
            field
        })
        .collect()
}

fn field_def(schema: &Value, root: &Map<String, Value>, depth: usize) -> FieldDef {
    let schema = schema.as_object().cloned().unwrap_or_default();
    let (schema, nullable) = resolve(schema, root);
    let text = |key: &str| schema.get(key).and_then(Value::as_str).map(str::to_owned);
    let choices = choices(&schema);
    let kind = match schema.get("type").and_then(Value::as_str) {
        Some(kind) => kind.to_owned(),
        None => choices
            .as_ref()
            .and_then(|c| c.first())
            .map_or("any", json_type)
            .to_owned(),
    };
    let constraints = CONSTRAINT_KEYWORDS
        .iter()
        .filter_map(|key| schema.get(*key).map(|v| ((*key).to_owned(), v.clone())))
        .collect();
    let fields = if kind == "object" && depth < MAX_DEPTH {
        object_fields(&schema, root, depth + 1)
    } else {
        Vec::new()
    };
    let items = match schema.get("items") {
        Some(items) if kind == "array" && depth < MAX_DEPTH => {
            let mut item = field_def(items, root, depth + 1);
            item.required = true;
            Some(Box::new(item))
        }
        _ => None,
    };
    FieldDef {
        name: String::new(),
        kind,
        required: false,
        nullable,
        default: schema.get("default").cloned(),
        label: text("title"),
        help: text("description"),
        constraints,
        choices,
        fields,
        items,
    }
}

/// Inlines `$ref`s to the root's `$defs` and unwraps `Option`'s null alternative; keywords
/// next to a `$ref` (a field's own doc comment, default) win over the referenced ones.
fn resolve(mut schema: Map<String, Value>, root: &Map<String, Value>) -> (Map<String, Value>, bool) {
    let mut nullable = false;
    for _ in 0..MAX_DEPTH {
        if let Some(Value::String(reference)) = schema.remove("$ref") {
            let target = reference
                .strip_prefix("#/$defs/")
                .and_then(|name| root.get("$defs")?.get(name))
                .and_then(Value::as_object);
            for (key, value) in target.into_iter().flatten() {
                schema.entry(key.clone()).or_insert_with(|| value.clone());
            }
            continue;
        }
        if let Some(other) = strip_null_alternative(&mut schema) {
            nullable = true;
            for (key, value) in other {
                schema.entry(key).or_insert(value);
            }
            continue;
        }
        break;
    }
    if let Some(Value::Array(types)) = schema.get("type") {
        let rest: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        if rest.len() < types.len() {
            nullable = true;
            let kind = match <[Value; 1]>::try_from(rest) {
                Ok([one]) => one,
                Err(rest) => Value::Array(rest),
            };
            schema.insert("type".into(), kind);
        }
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum") {
        if values.contains(&Value::Null) {
            nullable = true;
            values.retain(|v| !v.is_null());
        }
    }
    (schema, nullable)
}

/// `anyOf: [X, {"type": "null"}]` (how schemars writes `Option<X>` for a non-inline `X`)
/// becomes `X`.
fn strip_null_alternative(schema: &mut Map<String, Value>) -> Option<Map<String, Value>> {
    let key = ["anyOf", "oneOf"].into_iter().find(|key| {
        schema.get(*key).and_then(Value::as_array).is_some_and(|alts| {
            alts.len() == 2
                && alts
                    .iter()
                    .any(|alt| alt.get("type") == Some(&Value::from("null")))
        })
    })?;
    let alternatives = schema.remove(key)?;
    alternatives
        .as_array()?
        .iter()
        .find(|alt| alt.get("type") != Some(&Value::from("null")))
        .and_then(Value::as_object)
        .cloned()
}

/// The allowed values of an `enum`, or of a `oneOf`/`anyOf` of `const`s (how schemars
/// writes an enum whose variants have doc comments).
fn choices(schema: &Map<String, Value>) -> Option<Vec<Value>> {
    if let Some(Value::Array(values)) = schema.get("enum") {
        return Some(values.clone());
    }
    let alternatives = ["oneOf", "anyOf"]
        .iter()
        .find_map(|key| schema.get(*key).and_then(Value::as_array))?;
    alternatives.iter().map(|alt| alt.get("const").cloned()).collect()
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::Bool(_) => "boolean",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    }
}

#[cfg(test)]
mod tests {
    use schemars::JsonSchema;
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    enum Size {
        Small,
        Large,
    }

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    enum Documented {
        /// The first.
        First,
        /// The second.
        Second,
    }

    #[derive(Deserialize, Serialize, JsonSchema)]
    #[allow(dead_code)]
    struct Inner {
        #[schemars(range(min = 1))]
        n: u8,
    }

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Outer {
        /// How big.
        #[schemars(title = "Size")]
        size: Size,
        documented: Option<Documented>,
        inner: Option<Inner>,
        #[serde(default = "five")]
        #[schemars(length(max = 3))]
        list: Vec<Inner>,
        anything: Value,
    }

    fn five() -> Vec<Inner> {
        Vec::new()
    }

    fn fields() -> Vec<FieldDef> {
        fields_of(
            &crate::function::schema_generator()
                .root_schema_for::<Outer>()
                .to_value(),
        )
    }

    #[test]
    fn refs_are_inlined_with_the_fields_own_text() {
        let size = &fields()[0];
        assert_eq!((size.name.as_str(), size.kind.as_str()), ("size", "string"));
        assert!(size.required && !size.nullable);
        assert_eq!(size.label.as_deref(), Some("Size"));
        assert_eq!(size.help.as_deref(), Some("How big."));
        assert_eq!(size.choices, Some(vec![json!("Small"), json!("Large")]));
    }

    #[test]
    fn options_are_nullable_and_const_alternatives_are_choices() {
        let documented = &fields()[1];
        assert!(!documented.required && documented.nullable);
        assert_eq!(documented.choices, Some(vec![json!("First"), json!("Second")]));
        assert_eq!(documented.kind, "string");
        let inner = &fields()[2];
        assert_eq!((inner.kind.as_str(), inner.nullable), ("object", true));
        assert_eq!(inner.fields[0].name, "n");
        assert_eq!(inner.fields[0].constraints["minimum"], 1);
    }

    #[test]
    fn lists_describe_their_items_and_default() {
        let list = &fields()[3];
        assert_eq!(list.kind, "array");
        assert_eq!(list.default, Some(json!([])));
        assert_eq!(list.constraints["maxItems"], 3);
        let item = list.items.as_ref().unwrap();
        assert_eq!(item.fields[0].name, "n");
    }

    #[test]
    fn an_untyped_field_is_any() {
        assert_eq!(fields()[4].kind, "any");
    }
}

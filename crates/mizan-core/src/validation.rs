//! Input validation beyond types: rules declared with the `validator` crate's
//! `#[validate(...)]` attributes, checked after decoding and reported as [`FieldError`]s with
//! the same paths and code table as decoding errors.
//!
//! Why `validator`: schemars 1.x reads its attributes (`length`, `range`, `email`, `url`,
//! `regex(path = ..)`, `contains`, `required`) and writes the matching JSON Schema keywords,
//! so a client validating against the input schema applies the rules the server enforces;
//! its errors carry machine codes (no message parsing); and its string `length` counts
//! characters, as JSON Schema's `minLength`/`maxLength` do.
//!
//! Rules that have no JSON Schema keyword (`custom`, `must_match`, `does_not_contain`,
//! `credit_card`, `non_control_character`, and `range(exclusive_min/exclusive_max)`, which
//! schemars drops) are still enforced, but a client cannot know them: keep them out of
//! forms. `validator` reports Rust field names, so validated types should not rename fields
//! with serde (Mizan's wire names are the snake_case Rust names).
//!
//! The field-error codes are listed in [`FieldErrorCode`] and in `spec/PROTOCOL.md` §4.2.

use serde_json::Value;
use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

use crate::codes::wire_codes;
use crate::error::{FieldError, FunctionError};

wire_codes! {
    /// Every code the framework puts in a [`FieldError`], named after the JSON Schema
    /// keywords that let a client check the same rule. A `validator` rule with a custom code
    /// (`#[validate(custom(function = .., code = "taken"))]`) passes its own code through.
    pub enum FieldErrorCode {
        /// The JSON Schema keywords that express the rule on the client.
        fn keywords -> &'static [&'static str];
        /// A required field is missing (or a `required` Option is null).
        Required = ("required", &["required"]),
        /// The value has the wrong JSON type.
        Type = ("type", &["type"]),
        /// The object has a field its type does not declare.
        UnknownField = ("unknown_field", &["additionalProperties"]),
        /// The value is not one of the allowed choices.
        Choice = ("choice", &["enum", "const", "oneOf"]),
        /// A string has too few or too many characters, or a list too few or too many items.
        Length = ("length", &["minLength", "maxLength", "minItems", "maxItems"]),
        /// A number is out of its allowed range (including the range of its integer type).
        Range = ("range", &["minimum", "maximum"]),
        /// A string does not match the required pattern.
        Pattern = ("pattern", &["pattern"]),
        /// A string is not an email address (`format: email`).
        Email = ("email", &["format"]),
        /// A string is not a URL (`format: uri`).
        Url = ("url", &["format"]),
        /// Any other rejection of the value while decoding.
        Invalid = ("invalid", &[]),
    }
}

/// Checks `input`'s `#[validate(...)]` rules, as `validation_failed` with field errors.
pub fn check_rules<I: Validate + ?Sized>(input: &I) -> Result<(), FunctionError> {
    input
        .validate()
        .map_err(|errors| FunctionError::validation(field_errors(&errors)))
}

/// Flattens `validator`'s nested errors to [`FieldError`]s with dotted paths
/// (`items.2.qty`), sorted by path so the response is deterministic.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        // Rules on a newtype or on the whole struct (`#[validate(schema(..))]`) are keyed
        // `__all__`: they concern the value at `prefix` itself.
        let path = if field == "__all__" {
            prefix.to_owned()
        } else {
            join(prefix, field.trim_start_matches("r#"))
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                out.extend(list.iter().map(|error| field_error(&path, error)));
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &join(&path, &index.to_string()), out);
                }
            }
        }
    }
}

fn join(prefix: &str, segment: &str) -> String {
    if prefix.is_empty() {
        segment.to_owned()
    } else {
        format!("{prefix}.{segment}")
    }
}

fn field_error(path: &str, error: &ValidationError) -> FieldError {
    let known = table_code(&error.code);
    let code: &str = match known {
        Some(known) => known.as_str(),
        None => &error.code,
    };
    let message = match &error.message {
        Some(message) => message.to_string(),
        None => default_message(known, code, error),
    };
    FieldError::new(path, code, message)
}

/// `validator`'s code as an entry of the table: `regex` and `contains` are renamed after the
/// JSON Schema keyword that expresses them, the others share the table's names. A custom
/// rule's own code is not in the table and passes through.
fn table_code(validator_code: &str) -> Option<FieldErrorCode> {
    match validator_code {
        "regex" | "contains" => Some(FieldErrorCode::Pattern),
        other => FieldErrorCode::from_code(other),
    }
}

fn default_message(known: Option<FieldErrorCode>, code: &str, error: &ValidationError) -> String {
    let param = |name: &str| {
        error
            .params
            .get(name)
            .filter(|v| !v.is_null())
            .map(Value::to_string)
    };
    let bounds = |what: &str| match (param("equal"), param("min"), param("max")) {
        (Some(equal), _, _) => format!("{what} must be exactly {equal}"),
        (None, Some(min), Some(max)) => format!("{what} must be between {min} and {max}"),
        (None, Some(min), None) => format!("{what} must be at least {min}"),
        (None, None, Some(max)) => format!("{what} must be at most {max}"),
        (None, None, None) => format!("{what} is out of bounds"),
    };
    match known {
        Some(FieldErrorCode::Length) => bounds("length"),
        Some(FieldErrorCode::Range) => bounds("value"),
        Some(FieldErrorCode::Pattern) => "does not match the required pattern".to_owned(),
        Some(FieldErrorCode::Email) => "must be an email address".to_owned(),
        Some(FieldErrorCode::Url) => "must be a URL".to_owned(),
        Some(FieldErrorCode::Required) => "is required".to_owned(),
        _ => format!("is invalid ({code})"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use regex::Regex;
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    static ZIP: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[0-9]{5}$").unwrap());

    // `length` on a list records the list in the error's params, so items are Serialize.
    #[derive(Debug, Deserialize, serde::Serialize, Validate)]
    #[allow(dead_code)]
    struct Line {
        #[validate(range(min = 1, max = 9))]
        qty: u32,
    }

    #[derive(Debug, Deserialize, Validate)]
    #[allow(dead_code)]
    struct Address {
        #[validate(regex(path = *ZIP))]
        zip: String,
    }

    #[derive(Debug, Deserialize, Validate)]
    #[allow(dead_code)]
    struct Order {
        #[validate(length(min = 2, max = 5))]
        name: String,
        #[validate(email)]
        email: String,
        #[validate(url)]
        site: Option<String>,
        #[validate(nested)]
        address: Address,
        #[validate(length(min = 1), nested)]
        lines: Vec<Line>,
        #[validate(contains(pattern = "!"))]
        shout: String,
    }

    /// The rules of a well-typed `input` (decoding is `function::decode`'s and tested there).
    fn checked(input: Value) -> Result<(), FunctionError> {
        let order: Order = serde_json::from_value(input).expect("a well-typed order");
        check_rules(&order)
    }

    fn errors(input: Value) -> Vec<(String, String)> {
        let err = checked(input).expect_err("invalid");
        assert_eq!(err.code(), "validation_failed");
        err.fields()
            .iter()
            .map(|f| (f.path.clone(), f.code.clone()))
            .collect()
    }

    fn valid() -> Value {
        json!({
            "name": "Ada", "email": "ada@example.com", "site": null,
            "address": {"zip": "12345"}, "lines": [{"qty": 1}], "shout": "hi!"
        })
    }

    #[test]
    fn a_valid_input_decodes() {
        assert!(checked(valid()).is_ok());
    }

    #[test]
    fn every_rule_maps_to_its_code_and_dotted_path() {
        let mut input = valid();
        input["name"] = json!("Ä");
        input["email"] = json!("nope");
        input["site"] = json!("not a url");
        input["address"]["zip"] = json!("1234");
        input["lines"] = json!([{"qty": 1}, {"qty": 1}, {"qty": 10}]);
        input["shout"] = json!("quiet");
        let expected = [
            ("address.zip", "pattern"),
            ("email", "email"),
            ("lines.2.qty", "range"),
            ("name", "length"),
            ("shout", "pattern"),
            ("site", "url"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect();
        assert_eq!(errors(input), expected);
    }

    #[test]
    fn list_length_is_checked_before_items() {
        let mut input = valid();
        input["lines"] = json!([]);
        assert_eq!(errors(input), [("lines".to_owned(), "length".to_owned())]);
    }

    #[test]
    fn length_counts_characters_like_json_schema() {
        let mut input = valid();
        input["name"] = json!("ÄÖÜÄÖ"); // 5 characters, 10 bytes
        assert!(checked(input).is_ok());
    }

    #[test]
    fn messages_name_the_bounds() {
        let mut input = valid();
        input["name"] = json!("toolong");
        let err = checked(input).unwrap_err();
        assert_eq!(err.fields()[0].message, "length must be between 2 and 5");
        assert_eq!(err.message(), "name: length must be between 2 and 5");
    }

    #[test]
    fn validator_builtin_codes_map_into_the_table() {
        for code in ["regex", "contains", "length", "range", "email", "url", "required"] {
            assert!(table_code(code).is_some(), "{code}");
        }
        assert_eq!(table_code("taken"), None, "a custom code passes through");
    }
}

//! Decoding inputs: JSON text or values into the handler's input type, with serde's
//! complaints turned into field errors that carry the path of the offending field.

use serde::de::DeserializeOwned;
use serde_json::Value;
use validator::Validate;

use crate::error::{ErrorCode, FunctionError};
use crate::validation::check_rules;

/// Parses input JSON text into a value; empty text is `null` (a call without input).
pub(crate) fn parse_json_input(json: &[u8]) -> Result<Value, FunctionError> {
    if json.trim_ascii().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(json).map_err(|err| invalid_json(&err))
}

fn invalid_json(err: &serde_json::Error) -> FunctionError {
    FunctionError::from_code(
        ErrorCode::InvalidJson,
        format!("the input is not valid JSON: {err}"),
    )
}

/// Decodes an input value into `I`, turning serde's complaints into field errors with the
/// path of the offending field.
pub fn decode_input<I: DeserializeOwned>(input: Value) -> Result<I, FunctionError> {
    crate::value_de::decode(input)
}

/// Decodes `input` into `I` like [`decode_input`], then checks `I`'s `#[validate(...)]`
/// rules; either failure is a `validation_failed` error with field errors.
///
/// ```
/// use mizan_core::decode_validated;
/// use serde::Deserialize;
/// use serde_json::json;
/// use validator::Validate;
///
/// #[derive(Deserialize, Validate)]
/// struct Signup {
///     #[validate(length(min = 3))]
///     name: String,
/// }
///
/// let err = decode_validated::<Signup>(json!({ "name": "Al" })).err().unwrap();
/// assert_eq!(err.status(), 422);
/// assert_eq!((err.fields()[0].path.as_str(), err.fields()[0].code.as_str()), ("name", "length"));
/// ```
pub fn decode_validated<I: DeserializeOwned + Validate>(input: Value) -> Result<I, FunctionError> {
    let input = decode_input::<I>(input)?;
    check_rules(&input)?;
    Ok(input)
}

/// Decodes JSON text straight into `I` (the fast path of valid input). On any failure it
/// decodes again through a [`Value`], so errors are exactly those of [`decode_input`]
/// whichever way the input came (serde_json reports some shape problems, such as a number
/// where an enum is expected, as syntax errors when reading text); text that is not JSON at
/// all is `invalid_json`.
pub(crate) fn decode_json<I: DeserializeOwned>(json: &[u8]) -> Result<I, FunctionError> {
    let json = json.trim_ascii();
    if json.is_empty() {
        return decode_input(Value::Null);
    }
    let mut de = serde_json::Deserializer::from_slice(json);
    match I::deserialize(&mut de).and_then(|input| de.end().map(|()| input)) {
        Ok(input) => Ok(input),
        Err(_) => decode_input(parse_json_input(json)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldError;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        qty: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Order {
        title: String,
        items: Vec<Item>,
    }

    fn field_error(input: Value) -> FieldError {
        let err = decode_input::<Order>(input).unwrap_err();
        assert_eq!(err.code(), "validation_failed");
        err.fields()[0].clone()
    }

    #[test]
    fn wrong_type_points_at_the_field() {
        let e = field_error(json!({"title": "t", "items": [{"qty": 1}, {"qty": "x"}]}));
        assert_eq!((e.path.as_str(), e.code.as_str()), ("items.1.qty", "type"));
    }

    #[test]
    fn missing_and_unknown_fields_name_the_child() {
        let e = field_error(json!({"items": []}));
        assert_eq!((e.path.as_str(), e.code.as_str()), ("title", "required"));
        let e = field_error(json!({"title": "t", "items": [{"qty": 1, "extra": 2}]}));
        assert_eq!(
            (e.path.as_str(), e.code.as_str()),
            ("items.0.extra", "unknown_field")
        );
    }

    #[test]
    fn an_integer_outside_its_type_is_a_range_error() {
        let e = field_error(json!({"title": "t", "items": [{"qty": -1}]}));
        assert_eq!((e.path.as_str(), e.code.as_str()), ("items.0.qty", "range"));
    }

    #[test]
    fn text_input_gives_the_same_field_errors_and_flags_bad_json() {
        let from_text = |text: &str| decode_json::<Order>(text.as_bytes()).unwrap_err();
        let e = from_text(r#"{"title": "t", "items": [{"qty": 1}, {"qty": "x"}]}"#);
        let field = &e.fields()[0];
        assert_eq!(
            (field.path.as_str(), field.code.as_str()),
            ("items.1.qty", "type")
        );
        assert!(!field.message.contains(" at line "), "{}", field.message);
        // serde_json calls a number where an enum belongs a syntax error when reading text;
        // it is still a field error here, as it is from a value.
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        enum Topic {
            Sales,
        }
        let e = decode_json::<Topic>(b"5").unwrap_err();
        assert_eq!(
            (e.code(), e.fields()[0].code.as_str()),
            ("validation_failed", "type")
        );
        let e = from_text(r#"{"items": []}"#);
        assert_eq!(
            (e.fields()[0].path.as_str(), e.fields()[0].code.as_str()),
            ("title", "required")
        );
        for bad in [r#"{"title": "#, r#"{"title": "t", "items": []} trailing"#, "nul"] {
            assert_eq!(from_text(bad).code(), "invalid_json", "{bad}");
        }
        assert_eq!(decode_json::<Option<u8>>(b"  ").unwrap(), None);
    }

    #[test]
    fn decoding_errors_come_before_rules_with_the_same_shape() {
        #[derive(Debug, Deserialize, validator::Validate)]
        #[allow(dead_code)]
        struct Line {
            #[validate(range(min = 1, max = 9))]
            qty: u32,
        }
        let err = decode_validated::<Line>(json!({"qty": "x"})).unwrap_err();
        assert_eq!(
            (err.fields()[0].path.as_str(), err.fields()[0].code.as_str()),
            ("qty", "type")
        );
        let err = decode_validated::<Line>(json!({"qty": 10})).unwrap_err();
        assert_eq!(
            (err.fields()[0].path.as_str(), err.fields()[0].code.as_str()),
            ("qty", "range")
        );
    }

    #[test]
    fn a_non_object_is_a_whole_input_error() {
        let e = field_error(json!(3));
        assert_eq!((e.path.as_str(), e.code.as_str()), ("", "type"));
    }
}

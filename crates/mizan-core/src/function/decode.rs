//! Decoding inputs: JSON text or values into the handler's input type, with serde's
//! complaints turned into field errors that carry the path of the offending field.

use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use smallvec::SmallVec;
use validator::Validate;

use crate::canonical::{self, CanonicalError, CanonicalErrorCode};
use crate::error::{ErrorCode, FunctionError};
use crate::validation::check_rules;

mod strict;

/// Parses input JSON text into a value; empty text is `null` (a call without input).
///
/// The one strict reading of every input the server takes as text (§1.1): a text with no
/// canonical form (duplicate member names, lone surrogates, numbers beyond the double
/// range) is `invalid_json`, its reason in `details.reason`, exactly as the edge refuses it.
pub fn parse_json_input(json: &[u8]) -> Result<Value, FunctionError> {
    let json = trim_json_whitespace(json);
    if json.is_empty() {
        return Ok(Value::Null);
    }
    canonical::parse_strict(utf8(json)?).map_err(|err| invalid_json(&err))
}

/// Checks JSON text exactly as strictly as [`parse_json_input`] reads it, without building
/// the value: `Ok` when that parse would succeed, its error when it would not. For a text
/// whose parts are then read on their own (a batch's calls, each borrowed from the text).
///
/// ```
/// use mizan_core::check_json_input;
///
/// assert!(check_json_input(br#"{"calls": [{"fn": "add"}]}"#).is_ok());
/// let err = check_json_input(br#"{"a": 1, "a": 2}"#).unwrap_err();
/// assert_eq!((err.code(), err.details().unwrap()["reason"].as_str()), ("invalid_json", Some("duplicate_key")));
/// ```
///
/// # Errors
///
/// `invalid_json`, as [`parse_json_input`] gives it.
pub fn check_json_input(json: &[u8]) -> Result<(), FunctionError> {
    let json = trim_json_whitespace(json);
    if json.is_empty() {
        return Ok(());
    }
    // The one-pass reader refuses without a reason; the reference parse finds it.
    match strict::read::<IgnoredAny>(json) {
        Ok(IgnoredAny) => Ok(()),
        Err(_) => parse_json_input(json).map(drop),
    }
}

/// [`check_json_input`] for a value serde_json has already read as a [`RawValue`] (a
/// batch call's input, a composition member's): `Ok` exactly when [`parse_json_input`]
/// would accept its text.
///
/// A raw value is JSON by construction, so most are settled by one scan of their tokens:
/// member names without escapes compared as written, strings without `\u` escapes, numbers
/// without exponents. Anything else (an escape in a name, a `\u`, an exponent, a long number,
/// a repeated name, a large object) goes through [`check_json_input`], which also gives the
/// error. The scan costs a tenth of that check on a small input (callgrind).
///
/// ```
/// use mizan_core::check_raw_input;
/// use serde_json::value::RawValue;
///
/// let raw: &RawValue = serde_json::from_str(r#"{"a": [1, "x"], "b": null}"#)?;
/// assert!(check_raw_input(raw).is_ok());
/// let raw: &RawValue = serde_json::from_str(r#"{"a": 1, "\u0061": 2}"#)?;
/// assert_eq!(check_raw_input(raw).unwrap_err().details().unwrap()["reason"], "duplicate_key");
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Errors
///
/// `invalid_json`, as [`parse_json_input`] gives it.
pub fn check_raw_input(raw: &RawValue) -> Result<(), FunctionError> {
    if plainly_canonical(raw.get()) {
        return Ok(());
    }
    check_json_input(raw.get().as_bytes())
}

/// Whether `json`, known to be JSON, certainly has a canonical form: no member name comes
/// twice in an object, and nothing that could be a lone surrogate or a number beyond the
/// double range is there. False means "maybe not", never "not".
fn plainly_canonical(json: &str) -> bool {
    /// Objects with more names go to the exact check rather than a quadratic search.
    const MANY_NAMES: usize = 32;
    /// A number of more digits than this may be beyond the double range (above 1e308).
    const LONG_NUMBER: usize = 300;
    let text = json.as_bytes();
    // The names of the open objects, innermost last; `open` holds, for each open
    // container, where its names start in `names`, or `None` for an array.
    let mut names: SmallVec<[&str; 16]> = SmallVec::new();
    let mut open: SmallVec<[Option<usize>; 16]> = SmallVec::new();
    let mut expect_name = false;
    let mut at = 0;
    while let Some(&byte) = text.get(at) {
        at += 1;
        match byte {
            b'{' => {
                open.push(Some(names.len()));
                expect_name = true;
            }
            b'[' => {
                open.push(None);
                expect_name = false;
            }
            b'}' | b']' => {
                if let Some(Some(start)) = open.pop() {
                    names.truncate(start);
                }
                expect_name = false;
            }
            b',' => expect_name = matches!(open.last(), Some(Some(_))),
            b':' => expect_name = false,
            b'"' => {
                let start = at;
                loop {
                    let Some(offset) = memchr::memchr2(b'"', b'\\', &text[at..]) else {
                        return false;
                    };
                    at += offset + 1;
                    if text[at - 1] == b'"' {
                        break;
                    }
                    // An escape: `\u` may be half a surrogate pair, and an escaped name
                    // equals names written otherwise.
                    if expect_name || text.get(at) == Some(&b'u') {
                        return false;
                    }
                    at += 1;
                }
                if expect_name {
                    let name = &json[start..at - 1];
                    let Some(&Some(first)) = open.last() else {
                        return false;
                    };
                    if names.len() - first >= MANY_NAMES || names[first..].contains(&name) {
                        return false;
                    }
                    names.push(name);
                    expect_name = false;
                }
            }
            b'-' | b'0'..=b'9' => {
                // Digits and a fraction; an exponent, if any, follows them.
                let len = text[at..]
                    .iter()
                    .position(|b| !matches!(b, b'0'..=b'9' | b'.'))
                    .unwrap_or(text.len() - at);
                if len >= LONG_NUMBER || matches!(text.get(at + len), Some(b'e' | b'E')) {
                    return false;
                }
                at += len;
            }
            // Whitespace and the letters of `true`, `false` and `null`.
            _ => {}
        }
    }
    true
}

/// `json` without the whitespace RFC 8259 allows around a value (space, tab, LF, CR). Not
/// `trim_ascii`: it also drops form feed, which would let `0\u{c}` through as JSON.
fn trim_json_whitespace(json: &[u8]) -> &[u8] {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let start = json.iter().position(|b| !is_space(b)).unwrap_or(json.len());
    let end = json.iter().rposition(|b| !is_space(b)).map_or(start, |i| i + 1);
    &json[start..end]
}

fn utf8(json: &[u8]) -> Result<&str, FunctionError> {
    std::str::from_utf8(json).map_err(|err| {
        FunctionError::from_code(
            ErrorCode::InvalidJson,
            format!("the input is not valid JSON: it is not UTF-8 ({err})"),
        )
        .with_details(json!({ "reason": CanonicalErrorCode::Syntax.as_str() }))
    })
}

fn invalid_json(err: &CanonicalError) -> FunctionError {
    FunctionError::from_code(
        ErrorCode::InvalidJson,
        format!("the input is not valid JSON: {err}"),
    )
    .with_details(json!({ "reason": err.code().as_str() }))
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

/// Decodes JSON text into `I` with exactly the outcome of [`parse_json_input`] followed by
/// [`decode_input`], in one pass over the text when it decodes.
///
/// serde_json reads the text straight into `I` through a wrapper that checks it as strictly
/// as [`parse_json_input`] ([`strict`]). Whatever that read refuses, the text is decoded
/// again the reference way, so errors are those of [`decode_input`] and the `invalid_json`
/// reasons those of [`parse_json_input`] (serde_json also reports some shape problems, such
/// as a number where an enum is expected, as syntax errors when reading text, and refuses
/// `36.0` for an integer, which the schema allows).
pub(crate) fn decode_json<I: DeserializeOwned>(json: &[u8]) -> Result<I, FunctionError> {
    let json = trim_json_whitespace(json);
    if json.is_empty() {
        return decode_input(Value::Null);
    }
    match strict::read(json) {
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
    fn texts_without_a_canonical_form_are_invalid_json_with_the_reason() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Loose {
            name: String,
            tags: std::collections::BTreeMap<String, u8>,
        }
        let cases = [
            (r#"{"name": "a", "name": "b", "tags": {}}"#, "duplicate_key"),
            (r#"{"name": "a", "tags": {"x": 1, "\u0078": 2}}"#, "duplicate_key"),
            (
                r#"{"name": "a", "tags": {}, "extra": "\ud800"}"#,
                "lone_surrogate",
            ),
            (
                r#"{"name": "a", "tags": {}, "extra": 1e400}"#,
                "number_out_of_range",
            ),
        ];
        for (text, reason) in cases {
            for err in [
                decode_json::<Loose>(text.as_bytes()).unwrap_err(),
                parse_json_input(text.as_bytes()).unwrap_err(),
            ] {
                assert_eq!(err.code(), "invalid_json", "{text}");
                assert_eq!(err.details(), Some(&json!({ "reason": reason })), "{text}");
            }
        }
        // Many members switch the name check to a set; a late duplicate is still found.
        let members: Vec<String> = (0..40).map(|i| format!(r#""k{i}": {i}"#)).collect();
        let text = format!(r#"{{"name": "a", "tags": {{{}, "k3": 0}}}}"#, members.join(","));
        let err = decode_json::<Loose>(text.as_bytes()).unwrap_err();
        assert_eq!(err.details(), Some(&json!({ "reason": "duplicate_key" })));
        let text = format!(r#"{{"name": "a", "tags": {{{}}}}}"#, members[..30].join(","));
        assert_eq!(decode_json::<Loose>(text.as_bytes()).unwrap().tags.len(), 30);
    }

    #[test]
    fn a_struct_is_an_object_only_and_integers_take_integral_floats() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Person {
            name: String,
            age: u8,
        }
        for text in [
            r#"["Ada", 36]"#,
            r#"{"name": "Ada", "age": 36, "pets": [["Rex"]]}"#,
        ] {
            let from_text = decode_json::<Person>(text.as_bytes());
            let from_value = decode_input::<Person>(serde_json::from_str(text).unwrap());
            assert_eq!(from_text.is_err(), from_value.is_err(), "{text}");
        }
        let err = decode_json::<Person>(br#"["Ada", 36]"#).unwrap_err();
        assert_eq!(
            (err.fields()[0].path.as_str(), err.fields()[0].code.as_str()),
            ("", "type")
        );
        let ada = Person {
            name: "Ada".into(),
            age: 36,
        };
        assert_eq!(
            decode_json::<Person>(br#"{"name": "Ada", "age": 36.0}"#).unwrap(),
            ada
        );
        assert_eq!(
            decode_input::<Person>(json!({"name": "Ada", "age": 3.6e1})).unwrap(),
            ada
        );
        for age in ["36.5", "256.0", "-1.0"] {
            let text = format!(r#"{{"name": "Ada", "age": {age}}}"#);
            assert!(decode_json::<Person>(text.as_bytes()).is_err(), "{age}");
        }
        assert_eq!(decode_input::<i64>(json!(-2.0)).unwrap(), -2);
    }

    /// The one-pass read accepts a text only where the reference (a strict parse into a
    /// value, then the value into the type) gives the same input, and leaves every refusal
    /// to the reference: strictness hidden in values the type ignores, in map keys and in
    /// enums included.
    #[test]
    fn the_direct_read_decodes_as_the_reference_does() {
        #[derive(Debug, Deserialize, PartialEq)]
        enum Shape {
            Dot,
            Circle(f64),
            Rect { w: u8, h: u8 },
        }
        #[derive(Debug, Deserialize, PartialEq)]
        struct Nested {
            name: String,
            #[serde(default)]
            shapes: Vec<Shape>,
            #[serde(default)]
            counts: std::collections::HashMap<u32, u8>,
            #[serde(default)]
            labels: std::collections::BTreeMap<String, String>,
            #[serde(default)]
            pick: Option<Box<Self>>,
        }
        fn reference(text: &str) -> Result<Nested, FunctionError> {
            decode_input(parse_json_input(text.as_bytes())?)
        }
        let texts = [
            r#"{"name": "a"}"#,
            r#"{"name": "a\u00e9", "shapes": ["Dot", {"Circle": 1.5}, {"Rect": {"w": 1, "h": 2}}]}"#,
            r#"{"name": "a", "shapes": [{"Rect": [1, 2]}]}"#,
            r#"{"name": "a", "shapes": [{"Rect": {"w": 1, "w": 2, "h": 3}}]}"#,
            r#"{"name": "a", "extra": {"x": 1, "x": 2}}"#,
            r#"{"name": "a", "extra": ["\udc00"]}"#,
            r#"{"name": "a", "extra": "\ud83d\ude00"}"#,
            r#"{"name": "a", "extra": 1e400}"#,
            r#"{"name": "a", "counts": {"1": 1, "1": 2}}"#,
            r#"{"name": "a", "counts": {"1": 1, "2": 2}}"#,
            r#"{"name": "a", "labels": {"k": "v", "\u006b": "w"}}"#,
            r#"{"name": "a", "pick": {"name": "b", "pick": {"name": "c", "name": "d"}}}"#,
            r#"{"name": "a", "pick": ["b"]}"#,
            r#"["a"]"#,
            r#"{"name": "a"} {}"#,
        ];
        for text in texts {
            let direct = decode_json::<Nested>(text.as_bytes());
            match (direct, reference(text)) {
                (Ok(direct), Ok(reference)) => assert_eq!(direct, reference, "{text}"),
                (Err(direct), Err(reference)) => {
                    assert_eq!(direct.code(), reference.code(), "{text}");
                    assert_eq!(direct.details(), reference.details(), "{text}");
                    assert_eq!(direct.fields(), reference.fields(), "{text}");
                }
                (direct, reference) => panic!("{text}: {direct:?} but the reference gives {reference:?}"),
            }
        }
        // A raw value is not checked while reading, so the reference reads it.
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Raw {
            raw: Box<serde_json::value::RawValue>,
        }
        let err = decode_json::<Raw>(br#"{"raw": {"a": 1, "a": 2}}"#).unwrap_err();
        assert_eq!(err.details(), Some(&json!({ "reason": "duplicate_key" })));
    }

    #[test]
    fn a_non_object_is_a_whole_input_error() {
        let e = field_error(json!(3));
        assert_eq!((e.path.as_str(), e.code.as_str()), ("", "type"));
    }

    /// Found by the decoder fuzz target: `trim_ascii` also drops form feed, which JSON does
    /// not allow around a value.
    #[test]
    fn only_json_whitespace_surrounds_a_value() {
        assert_eq!(decode_json::<u32>(b" \t\n\r7\r\n").unwrap(), 7);
        for text in [&b"0\x0c"[..], b"\x0c0", b"0\x0b"] {
            let err = decode_json::<u32>(text).unwrap_err();
            assert_eq!(err.code(), "invalid_json", "{text:?}");
            assert_eq!(
                parse_json_input(text).unwrap_err().code(),
                "invalid_json",
                "{text:?}"
            );
        }
    }
}

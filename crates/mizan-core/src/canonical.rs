//! RFC 8785 JSON Canonicalization Scheme (JCS).
//!
//! The canonical form is what cache keys, permission keys and MWT payloads are computed
//! over, so the TypeScript runtime must produce the same bytes. The rules, as RFC 8785
//! states them:
//!
//! - no whitespace;
//! - object members sorted by their names compared as arrays of UTF-16 code units;
//! - strings escaped minimally: `\b \t \n \f \r \" \\`, `\u00xx` (lowercase hex) for the
//!   other control characters below U+0020, everything else as literal UTF-8;
//! - numbers written as ECMAScript `Number.prototype.toString` writes an IEEE 754 double
//!   (integers beyond 2^53 are rounded to a double first, as JavaScript does).
//!
//! One writer serves every caller: [`canonicalize`] fills a `String`, the key derivations
//! write the same bytes into one buffer for a single HMAC update, and token verification compares them
//! against the received payload without allocating.

use std::borrow::Cow;
use std::cell::Cell;
use std::cmp::Ordering;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::codes::wire_codes;

/// Why a JSON text or value has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CanonicalError {
    /// A string contains a `\uD800`–`\uDFFF` escape that is not part of a surrogate pair;
    /// such a string has no UTF-8 form and therefore no canonical form.
    #[error("lone surrogate in string escape at line {line}, column {column}")]
    LoneSurrogate {
        /// 1-based line of the offending escape.
        line: usize,
        /// 1-based column of the offending escape.
        column: usize,
    },
    /// A number is too large in magnitude to be an IEEE 754 double (`1e400`).
    #[error("number out of range of an IEEE 754 double at line {line}, column {column}")]
    NumberOutOfRange {
        /// 1-based line of the number (0 when canonicalizing an in-memory value).
        line: usize,
        /// 1-based column of the number (0 when canonicalizing an in-memory value).
        column: usize,
    },
    /// An object names the same member twice; RFC 8785 (through I-JSON) forbids it.
    #[error("duplicate object member {key:?} at line {line}, column {column}")]
    DuplicateKey {
        /// The repeated member name.
        key: String,
        /// 1-based line where the duplicate ends.
        line: usize,
        /// 1-based column where the duplicate ends.
        column: usize,
    },
    /// The text is not JSON at all.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// The parser's description of the problem.
        message: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
    },
}

wire_codes! {
    /// The stable, language-neutral name of a [`CanonicalError`], as `spec/vectors` uses it.
    pub enum CanonicalErrorCode {
        /// A string contains a `\uD800`..`\uDFFF` escape that is not half of a high-low pair.
        LoneSurrogate = "lone_surrogate",
        /// A number's magnitude rounds beyond the largest double (`1e400`, `-1e309`).
        NumberOutOfRange = "number_out_of_range",
        /// An object names the same member twice (after unescaping).
        DuplicateKey = "duplicate_key",
        /// The text is not RFC 8259 JSON.
        Syntax = "syntax",
    }
}

impl CanonicalError {
    /// The stable name of this failure.
    pub fn code(&self) -> CanonicalErrorCode {
        match self {
            Self::LoneSurrogate { .. } => CanonicalErrorCode::LoneSurrogate,
            Self::NumberOutOfRange { .. } => CanonicalErrorCode::NumberOutOfRange,
            Self::DuplicateKey { .. } => CanonicalErrorCode::DuplicateKey,
            Self::Syntax { .. } => CanonicalErrorCode::Syntax,
        }
    }
}

/// The RFC 8785 canonical form of a JSON value.
///
/// ```
/// use serde_json::json;
///
/// let value = json!({"b": [1.0, 1e21, -0.0], "a": "é\n"});
/// assert_eq!(mizan_core::canonicalize(&value).unwrap(), r#"{"a":"é\n","b":[1,1e+21,0]}"#);
/// ```
///
/// # Errors
///
/// [`CanonicalError::NumberOutOfRange`] if a number is not a finite double, which can
/// only happen when `serde_json`'s `arbitrary_precision` feature is enabled.
pub fn canonicalize(value: &Value) -> Result<String, CanonicalError> {
    let mut out = String::with_capacity(64);
    write_value(value, &mut out)?;
    Ok(out)
}

/// Parses a JSON text and returns its RFC 8785 canonical form.
///
/// Parsing is stricter than `serde_json::from_str` in one way JCS requires: duplicate
/// member names are rejected instead of the last one silently winning.
///
/// ```
/// let text = r#"{ "numbers": [333333333.33333329, 1E30, 4.50, 2e-3], "b": "\u0042" }"#;
/// assert_eq!(
///     mizan_core::canonicalize_str(text).unwrap(),
///     r#"{"b":"B","numbers":[333333333.3333333,1e+30,4.5,0.002]}"#,
/// );
/// let err = mizan_core::canonicalize_str(r#""\ud800""#).unwrap_err();
/// assert_eq!(err.code(), mizan_core::CanonicalErrorCode::LoneSurrogate);
/// ```
///
/// # Errors
///
/// Every [`CanonicalError`] variant: lone surrogates, numbers beyond the double range,
/// duplicate member names and plain syntax errors, each with the position.
pub fn canonicalize_str(json_text: &str) -> Result<String, CanonicalError> {
    canonicalize(&parse_strict(json_text)?)
}

/// Parses JSON text the way JCS needs: duplicate member names are an error, and every
/// failure is classified into a [`CanonicalError`].
pub(crate) fn parse_strict(json_text: &str) -> Result<Value, CanonicalError> {
    let fault = Cell::new(None);
    let mut de = serde_json::Deserializer::from_str(json_text);
    let parsed = Strict { fault: &fault }
        .deserialize(&mut de)
        .and_then(|value| de.end().map(|()| value));
    parsed.map_err(|err| classify(&err, json_text, fault.take()))
}

/// What the strict visitor refused, recorded beside the error it returns (whose type,
/// `serde_json::Error`, can only carry a message).
enum Fault {
    DuplicateKey(String),
    NumberOutOfRange,
}

fn classify(err: &serde_json::Error, text: &str, fault: Option<Fault>) -> CanonicalError {
    let (line, column) = (err.line(), err.column());
    match fault {
        Some(Fault::DuplicateKey(key)) => return CanonicalError::DuplicateKey { key, line, column },
        Some(Fault::NumberOutOfRange) => return CanonicalError::NumberOutOfRange { line, column },
        None => {}
    }
    // serde_json refuses lone surrogates and out-of-range numbers itself, as syntax errors
    // with no finer kind, so find them in the text: the first one before the point where
    // parsing stopped is what stopped it.
    match first_unrepresentable(text) {
        Some((CanonicalErrorCode::LoneSurrogate, at)) if at <= (line, column) => {
            CanonicalError::LoneSurrogate {
                line: at.0,
                column: at.1,
            }
        }
        Some((CanonicalErrorCode::NumberOutOfRange, at)) if at <= (line, column) => {
            CanonicalError::NumberOutOfRange { line, column }
        }
        _ => {
            // The position is reported in its own fields; keep the message without it.
            let message = err.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
            CanonicalError::Syntax {
                message,
                line,
                column,
            }
        }
    }
}

/// The first value in `text` that JSON can write but a JCS value cannot hold, with its
/// 1-based line and column: a `\\uD800`..`\\uDFFF` escape inside a string that is not half
/// of a high-low surrogate pair, or a number whose magnitude rounds beyond the largest double.
fn first_unrepresentable(text: &str) -> Option<(CanonicalErrorCode, (usize, usize))> {
    fn hex4(bytes: &[u8]) -> Option<u16> {
        let digits = std::str::from_utf8(bytes.get(..4)?).ok()?;
        u16::from_str_radix(digits, 16).ok()
    }
    let bytes = text.as_bytes();
    let (mut i, mut in_string, mut line, mut line_start) = (0, false, 1, 0);
    let position = |i: usize, line: usize, line_start: usize| (line, text[line_start..i].chars().count() + 1);
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => (line, line_start) = (line + 1, i + 1),
            b'"' => in_string = !in_string,
            b'\\' if in_string => {
                if bytes.get(i + 1) == Some(&b'u') {
                    let unit = hex4(&bytes[i + 2..]).unwrap_or(0);
                    let pair = bytes.get(i + 6..i + 8) == Some(b"\\u".as_slice());
                    let low = pair.then(|| hex4(&bytes[i + 8..])).flatten().unwrap_or(0);
                    match unit {
                        0xd800..=0xdbff if (0xdc00..=0xdfff).contains(&low) => i += 6,
                        0xd800..=0xdfff => {
                            return Some((CanonicalErrorCode::LoneSurrogate, position(i, line, line_start)));
                        }
                        _ => {}
                    }
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' if !in_string => {
                let len = bytes[i..]
                    .iter()
                    .take_while(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                    .count();
                let number = text[i..i + len].parse::<f64>();
                if number.is_ok_and(f64::is_infinite) {
                    return Some((
                        CanonicalErrorCode::NumberOutOfRange,
                        position(i, line, line_start),
                    ));
                }
                i += len;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parses a `Value` whose objects were checked for duplicate member names, recording
/// what it refuses in `fault`.
#[derive(Clone, Copy)]
struct Strict<'f> {
    fault: &'f Cell<Option<Fault>>,
}

impl Strict<'_> {
    fn refuse<E: de::Error>(self, fault: Fault) -> E {
        self.fault.set(Some(fault));
        E::custom("no canonical form")
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| self.refuse(Fault::NumberOutOfRange))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(self.refuse(Fault::DuplicateKey(key)));
            }
            let value = access.next_value_seed(self)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

/// A member name, borrowed from the text when it holds no escape (how the MWT payload
/// reads its names).
pub(crate) struct MemberName;

impl<'de> DeserializeSeed<'de> for MemberName {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for MemberName {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// Where the canonical writer sends its output.
pub(crate) trait JcsSink {
    fn put(&mut self, s: &str);
}

impl JcsSink for String {
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

impl JcsSink for bytes::BytesMut {
    fn put(&mut self, s: &str) {
        self.extend_from_slice(s.as_bytes());
    }
}

/// Compares the canonical form against expected bytes as it is produced, so a token
/// payload can be checked for canonicality without building a second copy.
pub(crate) struct MatchSink<'a> {
    rest: &'a [u8],
    matches: bool,
}

impl<'a> MatchSink<'a> {
    pub(crate) fn new(expected: &'a [u8]) -> Self {
        Self {
            rest: expected,
            matches: true,
        }
    }

    /// True when everything written equals the expected bytes, all of them.
    pub(crate) fn matched(&self) -> bool {
        self.matches && self.rest.is_empty()
    }
}

impl JcsSink for MatchSink<'_> {
    fn put(&mut self, s: &str) {
        if !self.matches {
            return;
        }
        match self.rest.strip_prefix(s.as_bytes()) {
            Some(rest) => self.rest = rest,
            None => self.matches = false,
        }
    }
}

/// Writes the canonical form of `value`.
pub(crate) fn write_value<S: JcsSink>(value: &Value, out: &mut S) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.put("null"),
        Value::Bool(true) => out.put("true"),
        Value::Bool(false) => out.put("false"),
        Value::Number(n) => write_number(n, out)?,
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.put("[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.put(",");
                }
                write_value(item, out)?;
            }
            out.put("]");
        }
        Value::Object(map) => write_object(map, out)?,
    }
    Ok(())
}

pub(crate) fn write_object<S: JcsSink>(map: &Map<String, Value>, out: &mut S) -> Result<(), CanonicalError> {
    fn members<'m, S: JcsSink>(
        entries: impl Iterator<Item = (&'m String, &'m Value)>,
        out: &mut S,
    ) -> Result<(), CanonicalError> {
        out.put("{");
        for (i, (key, value)) in entries.enumerate() {
            if i > 0 {
                out.put(",");
            }
            write_string(key, out);
            out.put(":");
            write_value(value, out)?;
        }
        out.put("}");
        Ok(())
    }

    // Objects built by serializing a struct often already are in order; skip the sort.
    let keys_sorted = map
        .keys()
        .zip(map.keys().skip(1))
        .all(|(a, b)| utf16_cmp(a, b) == Ordering::Less);
    if keys_sorted {
        members(map.iter(), out)
    } else {
        let mut entries: Vec<(&String, &Value)> = map.iter().collect();
        entries.sort_unstable_by(|a, b| utf16_cmp(a.0, b.0));
        members(entries.into_iter(), out)
    }
}

/// Orders strings by their UTF-16 code units, as RFC 8785 §3.2.3 sorts member names.
///
/// This differs from byte (code point) order only when a character above U+FFFF meets
/// one in U+E000..=U+FFFF: the former's leading surrogate (U+D800..) sorts first.
pub(crate) fn utf16_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Writes a JSON number as ECMAScript's `Number.prototype.toString` would.
pub(crate) fn write_number<S: JcsSink>(n: &Number, out: &mut S) -> Result<(), CanonicalError> {
    // Integers a double holds exactly print as their digits in ECMAScript too: skip the
    // shortest-float algorithm for them (ids, times and revisions are the common case).
    const EXACT: u64 = 1 << 53;
    if let Some(u) = n.as_u64().filter(|u| *u <= EXACT) {
        out.put(itoa::Buffer::new().format(u));
        return Ok(());
    }
    if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= EXACT) {
        out.put(itoa::Buffer::new().format(i));
        return Ok(());
    }
    let double = if let Some(u) = n.as_u64() {
        u as f64
    } else if let Some(i) = n.as_i64() {
        i as f64
    } else {
        n.as_f64()
            .filter(|f| f.is_finite())
            .ok_or(CanonicalError::NumberOutOfRange { line: 0, column: 0 })?
    };
    write_f64(double, out);
    Ok(())
}

/// Writes a finite double in ECMAScript form; `-0` is written `0`, as JavaScript does.
pub(crate) fn write_f64<S: JcsSink>(double: f64, out: &mut S) {
    debug_assert!(double.is_finite());
    if double == 0.0 {
        out.put("0");
    } else {
        out.put(ryu_js::Buffer::new().format_finite(double));
    }
}

/// Writes a JSON string with the minimal escaping of RFC 8785 §3.2.2.2.
pub(crate) fn write_string<S: JcsSink>(s: &str, out: &mut S) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.put("\"");
    if !needs_escape(s.as_bytes()) {
        out.put(s);
        out.put("\"");
        return;
    }
    let mut start = 0;
    for (i, byte) in s.bytes().enumerate() {
        let escape: &str = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            0x0c => "\\f",
            b'\r' => "\\r",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.put(&s[start..i]);
        start = i + 1;
        if escape.is_empty() {
            let code = [
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ];
            // Only ASCII bytes were written into `code`.
            out.put(std::str::from_utf8(&code).unwrap_or_default());
        } else {
            out.put(escape);
        }
    }
    out.put(&s[start..]);
    out.put("\"");
}

/// Whether JCS escapes any byte of `bytes` (a quote, a backslash, a control character).
/// Most strings have none; whole 16-byte chunks are tested without a branch per byte, which
/// the compiler turns into vector instructions.
fn needs_escape(bytes: &[u8]) -> bool {
    let escaped = |byte: &u8| *byte < 0x20 || *byte == b'"' || *byte == b'\\';
    let mut chunks = bytes.chunks_exact(16);
    chunks
        .by_ref()
        .any(|chunk| chunk.iter().fold(false, |any, byte| any | escaped(byte)))
        || chunks.remainder().iter().any(escaped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canon(text: &str) -> String {
        canonicalize_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn rfc8785_sample_object() {
        let text = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50,
                      2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        assert_eq!(
            canon(text),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    #[test]
    fn rfc8785_sorting_example_uses_utf16_order() {
        let text = r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh",
            "1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control",
            "\u00f6":"Latin Small Letter O With Diaeresis"}"#;
        let keys: Vec<String> = {
            let canonical: Map<String, Value> = serde_json::from_str(&canon(text)).unwrap();
            canonical.keys().cloned().collect()
        };
        assert_eq!(keys, ["\r", "1", "\u{80}", "ö", "€", "😀", "\u{fb33}"]);
    }

    /// RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript form.
    #[test]
    fn rfc8785_number_table() {
        let table: &[(u64, &str)] = &[
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for &(bits, expected) in table {
            let double = f64::from_bits(bits);
            let mut out = String::new();
            write_f64(double, &mut out);
            assert_eq!(out, expected, "bits {bits:#018x}");
            assert_eq!(canon(&format!("{double:e}")), expected, "parsed {double:e}");
        }
    }

    #[test]
    fn integers_beyond_2_pow_53_round_like_javascript() {
        assert_eq!(canon("9007199254740993"), "9007199254740992");
        assert_eq!(canon("18446744073709551615"), "18446744073709552000");
        assert_eq!(canon("-9223372036854775808"), "-9223372036854776000");
        assert_eq!(canon("1.0"), "1");
        assert_eq!(canon("-0.0"), "0");
        assert_eq!(canon("1e-7"), "1e-7");
    }

    #[test]
    fn strings_escape_only_what_jcs_requires() {
        let value = json!("\u{0}\u{1f}\u{7f}\u{8}\t\n\u{c}\r\"\\/é😀\u{2028}");
        assert_eq!(
            canonicalize(&value).unwrap(),
            "\"\\u0000\\u001f\u{7f}\\b\\t\\n\\f\\r\\\"\\\\/é😀\u{2028}\""
        );
    }

    #[test]
    fn an_escape_is_found_wherever_it_stands() {
        // In the first 16-byte chunk, a later one, the remainder after the last.
        for at in [0, 15, 16, 31, 40] {
            let mut text = "a".repeat(41);
            text.replace_range(at..=at, "\n");
            let expected = format!("\"{}\\n{}\"", &text[..at], &text[at + 1..]);
            assert_eq!(canonicalize(&json!(text)).unwrap(), expected, "at {at}");
        }
        let plain = "é😀/ plain text, longer than one chunk";
        assert_eq!(canonicalize(&json!(plain)).unwrap(), format!("\"{plain}\""));
    }

    #[test]
    fn unsorted_insertion_order_is_sorted() {
        let value = json!({"b": 1, "a": {"d": [], "c": {}}, "\u{e000}": 0, "\u{1f600}": 0});
        assert_eq!(
            canonicalize(&value).unwrap(),
            "{\"a\":{\"c\":{},\"d\":[]},\"b\":1,\"😀\":0,\"\u{e000}\":0}"
        );
    }

    #[test]
    fn utf16_order_differs_from_code_point_order_above_the_bmp() {
        assert_eq!(utf16_cmp("\u{1f600}", "\u{ffff}"), Ordering::Less);
        assert_eq!(utf16_cmp("\u{1f600}", "\u{d7ff}"), Ordering::Greater);
        assert_eq!(utf16_cmp("ab", "abc"), Ordering::Less);
        assert!("\u{1f600}" > "\u{ffff}", "byte order puts the emoji last");
    }

    #[test]
    fn rejections_are_classified_with_positions() {
        let cases = [
            (r#""\ud800""#, CanonicalErrorCode::LoneSurrogate),
            (r#"["\udc00x"]"#, CanonicalErrorCode::LoneSurrogate),
            (r#""\ud83dA""#, CanonicalErrorCode::LoneSurrogate),
            ("1e400", CanonicalErrorCode::NumberOutOfRange),
            ("[-1e309]", CanonicalErrorCode::NumberOutOfRange),
            (r#"{"a":1,"a":2}"#, CanonicalErrorCode::DuplicateKey),
            ("{\"a\":1,}", CanonicalErrorCode::Syntax),
            ("NaN", CanonicalErrorCode::Syntax),
            ("1 2", CanonicalErrorCode::Syntax),
            ("", CanonicalErrorCode::Syntax),
        ];
        for (text, code) in cases {
            let err = canonicalize_str(text).unwrap_err();
            assert_eq!(err.code(), code, "{text}: {err}");
        }
        assert_eq!(
            canonicalize_str("{\"x\":{\n\"k\":1,\"k\":2}}").unwrap_err(),
            CanonicalError::DuplicateKey {
                key: "k".into(),
                line: 2,
                column: 9
            }
        );
        assert!(matches!(
            canonicalize_str("[1,\n  1e999]").unwrap_err(),
            CanonicalError::NumberOutOfRange { line: 2, .. }
        ));
    }

    #[test]
    fn serde_json_raw_value_marker_is_an_ordinary_member() {
        let text = r#"{"b":1,"$serde_json::private::RawValue":[]}"#;
        assert_eq!(canon(text), r#"{"$serde_json::private::RawValue":[],"b":1}"#);
    }

    #[test]
    fn match_sink_requires_the_whole_expected_text() {
        let value = json!({"a": [1, "x"]});
        for (expected, ok) in [
            (r#"{"a":[1,"x"]}"#, true),
            (r#"{"a":[1,"x"]} "#, false),
            (r#"{"a":[1,"x"#, false),
        ] {
            let mut sink = MatchSink::new(expected.as_bytes());
            write_value(&value, &mut sink).unwrap();
            assert_eq!(sink.matched(), ok, "{expected}");
        }
    }
}

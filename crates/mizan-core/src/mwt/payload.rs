//! One pass over a token's payload: read its claims and, at the same time, check that it
//! is exactly its own canonical form (`spec/PROTOCOL.md` §1.4, steps 5 and 6).
//!
//! A canonical text has its members in RFC 8785 order, so the check needs no sorting:
//! every value is written in canonical form, as it is read, against the remaining payload
//! bytes, and every object's keys must come in strictly increasing UTF-16 order (which also
//! rules out duplicates). Nothing is re-serialized afterwards, and no map is hashed.
//!
//! Before that, [`Plain`] tries the shape issuers produce (no escapes, integer numbers),
//! for which canonical form can be read off the grammar: it needs no serde_json and no
//! writing, and gives up on any other text.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::claims::ReadClaims;
use crate::canonical::{JcsSink, MatchSink, MemberName, utf16_cmp, write_f64, write_number, write_string};

/// A payload's claims, each member filed as it is read: no list of members is built.
pub(super) struct Payload {
    pub(super) claims: ReadClaims,
    /// Whether the text is exactly its own canonical form.
    pub(super) canonical: bool,
}

/// Why a payload is not a JSON object at all (an `invalid_payload`).
pub(super) struct NotAnObject(pub(super) String);

pub(super) fn parse(text: &str) -> Result<Payload, NotAnObject> {
    if let Some(claims) = Plain::new(text).claims() {
        return Ok(Payload {
            claims,
            canonical: true,
        });
    }
    read_full(text)
}

/// Reads any text, checking its canonical form by writing it.
fn read_full(text: &str) -> Result<Payload, NotAnObject> {
    let mut writer = Writer {
        sink: MatchSink::new(text.as_bytes()),
        ordered: true,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let claims = de
        .deserialize_any(TopLevel(&mut writer))
        .and_then(|claims| de.end().map(|()| claims))
        .map_err(|err| NotAnObject(err.to_string()))?;
    Ok(Payload {
        claims,
        canonical: writer.ordered && writer.sink.matched(),
    })
}

/// The deepest nesting [`Plain`] reads; deeper payloads (serde_json refuses those past 128
/// levels) are left to the full reading.
const PLAIN_DEPTH: usize = 32;

/// A reader of the payloads issuers write, faster than the full reading: JCS texts whose
/// strings hold no escape and whose numbers are integers of at most 2^53 in magnitude.
///
/// It gives up on anything else (an escape, a fraction or exponent, whitespace, members out
/// of order, ...), and [`parse`] then reads the text in full, so it never decides a
/// rejection. What it accepts is canonical as written (JCS writes such strings and integers
/// as they are), and its values are those the full reading gives.
struct Plain<'t> {
    text: &'t str,
    at: usize,
    depth: usize,
}

impl<'t> Plain<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            at: 0,
            depth: 0,
        }
    }

    /// The claims of the whole text, an object.
    fn claims(mut self) -> Option<ReadClaims> {
        let mut claims = ReadClaims::default();
        self.members(|name, value| claims.insert(name, value))?;
        (self.at == self.text.len()).then_some(claims)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// An object's members, in strictly increasing UTF-16 order of their names.
    fn members(&mut self, mut member: impl FnMut(&'t str, Value)) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        let mut previous: Option<&str> = None;
        loop {
            let name = self.string()?;
            if previous.is_some_and(|previous| utf16_cmp(previous, name) != Ordering::Less) {
                return None;
            }
            self.eat(b':')?;
            member(name, self.value()?);
            previous = Some(name);
            if self.eat(b'}').is_some() {
                return Some(());
            }
            self.eat(b',')?;
        }
    }

    fn value(&mut self) -> Option<Value> {
        let value = match self.peek()? {
            b'"' => Value::String(self.string()?.to_owned()),
            b'{' | b'[' if self.depth == PLAIN_DEPTH => return None,
            b'{' => {
                self.depth += 1;
                let mut object = Map::new();
                self.members(|name, value| {
                    object.insert(name.to_owned(), value);
                })?;
                self.depth -= 1;
                Value::Object(object)
            }
            b'[' => {
                self.depth += 1;
                self.eat(b'[')?;
                let mut items = Vec::new();
                if self.eat(b']').is_none() {
                    loop {
                        items.push(self.value()?);
                        if self.eat(b']').is_some() {
                            break;
                        }
                        self.eat(b',')?;
                    }
                }
                self.depth -= 1;
                Value::Array(items)
            }
            b't' => self.literal("true", Value::Bool(true))?,
            b'f' => self.literal("false", Value::Bool(false))?,
            b'n' => self.literal("null", Value::Null)?,
            _ => self.integer()?,
        };
        Some(value)
    }

    /// A string without escapes (nor the raw control characters JSON forbids).
    fn string(&mut self) -> Option<&'t str> {
        self.eat(b'"')?;
        let start = self.at;
        let len = self.text.as_bytes()[start..]
            .iter()
            .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20)?;
        self.at += len;
        self.eat(b'"')?;
        // `start` and `start + len` stand next to a quote, so both are character boundaries.
        self.text.get(start..start + len)
    }

    fn literal(&mut self, word: &str, value: Value) -> Option<Value> {
        let rest = self.text.get(self.at..)?;
        rest.starts_with(word).then(|| {
            self.at += word.len();
            value
        })
    }

    /// An integer as JCS writes those of at most 2^53 in magnitude: digits without a
    /// leading zero, `-` before all but zero. Larger ones are written rounded to a double.
    fn integer(&mut self) -> Option<Value> {
        const EXACT: u64 = 1 << 53;
        let negative = self.eat(b'-').is_some();
        let start = self.at;
        let digits = self.text.as_bytes()[start..]
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        let leading_zero = self.peek() == Some(b'0') && (digits > 1 || negative);
        if digits == 0 || digits > 16 || leading_zero {
            return None;
        }
        self.at += digits;
        let magnitude: u64 = self.text[start..self.at].parse().ok().filter(|&m| m <= EXACT)?;
        Some(Value::Number(if negative {
            Number::from(-i64::try_from(magnitude).ok()?)
        } else {
            Number::from(magnitude)
        }))
    }
}

struct Writer<'a> {
    sink: MatchSink<'a>,
    ordered: bool,
}

impl Writer<'_> {
    fn put(&mut self, s: &str) {
        self.sink.put(s);
    }

    /// Writes `key` (after a comma unless it is the first) and checks it follows `previous`.
    fn key(&mut self, key: &str, previous: Option<&str>) {
        if let Some(previous) = previous {
            self.put(",");
            if utf16_cmp(previous, key) != Ordering::Less {
                self.ordered = false;
            }
        }
        write_string(key, &mut self.sink);
        self.put(":");
    }
}

/// The top level: an object, read as claims.
struct TopLevel<'w, 'a>(&'w mut Writer<'a>);

impl<'de> Visitor<'de> for TopLevel<'_, '_> {
    type Value = ReadClaims;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let writer = self.0;
        writer.put("{");
        let mut claims = ReadClaims::default();
        // Names borrow from the text when they hold no escape.
        let mut previous: Option<Cow<'de, str>> = None;
        while let Some(key) = map.next_key_seed(MemberName)? {
            writer.key(&key, previous.as_deref());
            claims.insert(&key, map.next_value_seed(AnyValue(writer))?);
            previous = Some(key);
        }
        writer.put("}");
        Ok(claims)
    }
}

/// Any value: written canonically and returned.
struct AnyValue<'w, 'a>(&'w mut Writer<'a>);

impl<'de> DeserializeSeed<'de> for AnyValue<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// An array element: a comma first unless it is the first element.
struct Element<'w, 'a> {
    writer: &'w mut Writer<'a>,
    first: bool,
}

impl<'de> DeserializeSeed<'de> for Element<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        if !self.first {
            self.writer.put(",");
        }
        deserializer.deserialize_any(AnyValue(self.writer))
    }
}

impl<'de> Visitor<'de> for AnyValue<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        self.0.put("null");
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        self.0.put(if v { "true" } else { "false" });
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.number(Number::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.number(Number::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        let number = Number::from_f64(v).ok_or_else(|| E::custom("number out of range"))?;
        write_f64(v, &mut self.0.sink);
        Ok(Value::Number(number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        write_string(v, &mut self.0.sink);
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        write_string(&v, &mut self.0.sink);
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let writer = self.0;
        writer.put("[");
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Element {
            writer: &mut *writer,
            first: items.is_empty(),
        })? {
            items.push(item);
        }
        writer.put("]");
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let writer = self.0;
        writer.put("{");
        let mut object = Map::new();
        let mut previous: Option<String> = None;
        while let Some(key) = map.next_key::<String>()? {
            writer.key(&key, previous.as_deref());
            let value = map.next_value_seed(AnyValue(&mut *writer))?;
            // A duplicate keeps the last value, as JSON.parse does; it is not canonical.
            object.insert(key.clone(), value);
            previous = Some(key);
        }
        writer.put("}");
        Ok(Value::Object(object))
    }
}

impl AnyValue<'_, '_> {
    fn number<E: de::Error>(self, number: Number) -> Result<Value, E> {
        write_number(&number, &mut self.0.sink).map_err(E::custom)?;
        Ok(Value::Number(number))
    }
}

#[cfg(test)]
mod tests {
    use super::{Plain, parse, read_full};
    use crate::mwt::Claims;

    #[test]
    fn plain_reads_what_issuers_write_and_leaves_the_rest() {
        let plain = [
            "{\"a\":[true,false,null,{},[],\"\"],\"exp\":2,\"iat\":0,\"kid\":\"k\",\"pk\":\"\",\"sub\":\"😀\u{7f}\"}",
            "{\"a\":-9007199254740992,\"b\":9007199254740992,\"c\":{\"😀\":-1,\"\u{e000}\":0}}",
            "{}",
        ];
        for text in plain {
            let claims = Plain::new(text).claims().map(Claims::from_read);
            let full = read_full(text).ok().unwrap();
            assert!(full.canonical, "{text}");
            assert_eq!(claims, Some(Claims::from_read(full.claims)), "{text}");
        }
        for text in [
            r#"{"a":1.5}"#,
            r#"{"a":1e3}"#,
            r#"{"a":-0}"#,
            r#"{"a":01}"#,
            r#"{"a":9007199254740993}"#,
            r#"{"a":"\n"}"#,
            r#"{"a":"\u0041"}"#,
            "{\"\u{e000}\":0,\"😀\":1}",
            r#"{"a":1,"a":1}"#,
            r#"{"a": 1}"#,
            r#"{"a":1} "#,
            r#"{"a":tru}"#,
            r#"[]"#,
            &format!(r#"{{"a":{}{}}}"#, "[".repeat(33), "]".repeat(33)),
        ] {
            assert!(Plain::new(text).claims().is_none(), "{text}");
        }
    }

    #[test]
    fn canonical_only_when_ordered_and_minimal() {
        let ok = parse(r#"{"a":[1,"x",{"b":null,"c":true}],"b":1.5,"c":-2}"#)
            .ok()
            .unwrap();
        assert!(ok.canonical);
        for text in [
            r#"{"b":1,"a":2}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"a":1.0}"#,
            r#"{"a": 1}"#,
            r#"{"a":"\u0041"}"#,
            r#"{"a":{"d":1,"c":2}}"#,
            r#"{"a":1}
"#,
        ] {
            assert!(!parse(text).ok().unwrap().canonical, "{text}");
        }
        for text in [r#"[1]"#, r#"{"a":"#, r#"{"a":1e400}"#, r#""x""#] {
            assert!(parse(text).is_err(), "{text}");
        }
    }
}

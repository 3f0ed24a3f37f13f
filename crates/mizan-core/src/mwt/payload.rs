//! One pass over a token's payload: read its claims and, at the same time, check that it
//! is exactly its own canonical form (`spec/PROTOCOL.md` §1.4, steps 5 and 6).
//!
//! A canonical text has its members in RFC 8785 order, so the check needs no sorting:
//! every value is written in canonical form, as it is read, against the remaining payload
//! bytes, and every object's keys must come in strictly increasing UTF-16 order (which also
//! rules out duplicates). Nothing is re-serialized afterwards, and no map is hashed.

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
    use super::parse;

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

//! Decoding a JSON value into an input type with errors that say what kind they are.
//!
//! serde_json's errors expose only `Category::{Io, Syntax, Data, Eof}`; which rule of the
//! input type failed (a missing field, a wrong type, an unknown variant) is known only
//! where the error is built, through the `serde::de::Error` constructors. So decoding goes
//! through [`ValueDeserializer`], a deserializer over [`serde_json::Value`] whose error,
//! [`ShapeError`], records the constructor's kind as a [`FieldErrorCode`]. It visits a value
//! exactly as serde_json's own `Value` deserializer does, and its messages are serde_json's
//! (each constructor delegates the text to `serde_json::Error`), so a field error reads the
//! same whichever deserializer found it.
//!
//! Only the error path and inputs that arrive as a [`Value`] come here: JSON text that
//! decodes is read straight into the input type by serde_json.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, VariantAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Number, Value};

use crate::error::{FieldError, FunctionError};
use crate::validation::FieldErrorCode;

/// Decodes `input` into `I`; a failure is `validation_failed` with one field error at the
/// path of the offending field.
pub(crate) fn decode<I: DeserializeOwned>(input: Value) -> Result<I, FunctionError> {
    serde_path_to_error::deserialize(ValueDeserializer(input)).map_err(|err| {
        let mut path = dotted_path(err.path());
        let ShapeError {
            code,
            missing,
            message,
        } = err.into_inner();
        // A missing field is reported at the struct that lacks it; name the field itself.
        // (serde_path_to_error already ends the path of an unknown field with its key.)
        if let Some(field) = missing {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(field);
        }
        FunctionError::validation(vec![FieldError::new(path, code.as_str(), message)])
    })
}

fn dotted_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let segments: Vec<String> = path
        .iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.clone()),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect();
    segments.join(".")
}

/// A decoding failure with the field-error code of its kind.
#[derive(Debug)]
pub(crate) struct ShapeError {
    code: FieldErrorCode,
    /// The field a `missing_field` error names.
    missing: Option<&'static str>,
    message: String,
}

impl ShapeError {
    fn new(code: FieldErrorCode, message: serde_json::Error) -> Self {
        Self {
            code,
            missing: None,
            message: message.to_string(),
        }
    }
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ShapeError {}

impl de::Error for ShapeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::new(FieldErrorCode::Invalid, serde_json::Error::custom(msg))
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::new(FieldErrorCode::Type, serde_json::Error::invalid_type(unexp, exp))
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        // An integer outside its Rust type: the schema states that type's bounds as
        // `minimum`/`maximum`.
        let code = match unexp {
            Unexpected::Signed(_) | Unexpected::Unsigned(_) => FieldErrorCode::Range,
            _ => FieldErrorCode::Invalid,
        };
        Self::new(code, serde_json::Error::invalid_value(unexp, exp))
    }

    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        Self::new(
            FieldErrorCode::Length,
            serde_json::Error::invalid_length(len, exp),
        )
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self::new(
            FieldErrorCode::Choice,
            serde_json::Error::unknown_variant(variant, expected),
        )
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self::new(
            FieldErrorCode::UnknownField,
            serde_json::Error::unknown_field(field, expected),
        )
    }

    fn missing_field(field: &'static str) -> Self {
        Self {
            missing: Some(field),
            ..Self::new(FieldErrorCode::Required, serde_json::Error::missing_field(field))
        }
    }
}

/// The name under which `serde_json::value::RawValue` asks for its JSON text.
pub(crate) const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// Deserializes a [`Value`] the way serde_json's own `impl Deserializer for Value` does,
/// with [`ShapeError`] as its error.
pub(crate) struct ValueDeserializer(pub(crate) Value);

impl<'de> Deserializer<'de> for ValueDeserializer {
    type Error = ShapeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => visit_number(&n, visitor),
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visit_array(items, visitor),
            Value::Object(map) => visit_object(map, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ShapeError> {
        match self.0 {
            Value::Object(map) => {
                let mut entries = map.into_iter();
                match (entries.next(), entries.next()) {
                    (Some((variant, value)), None) => visitor.visit_enum(EnumDeserializer {
                        variant,
                        value: Some(value),
                    }),
                    _ => Err(de::Error::invalid_value(
                        Unexpected::Map,
                        &"map with a single key",
                    )),
                }
            }
            Value::String(variant) => visitor.visit_enum(EnumDeserializer { variant, value: None }),
            other => Err(de::Error::invalid_type(unexpected(&other), &"string or map")),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ShapeError> {
        if name == RAW_VALUE_TOKEN {
            // Raw JSON text holds no field to fault; serde_json knows how to hand it over.
            return self
                .0
                .deserialize_newtype_struct(name, visitor)
                .map_err(de::Error::custom);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        visitor.visit_unit()
    }

    /// Only an object: serde would take a struct from an array too (`["Ada"]`), which
    /// the struct's schema (`"type": "object"`) refuses.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ShapeError> {
        match self.0 {
            Value::Object(map) => visit_object(map, visitor),
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    integers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
    }

    // serde_json checks the value's type in these before visiting; a visitor's own default
    // refuses the same values with the same `invalid_type`, so visiting directly is equal.
    forward_to_deserialize_any! {
        bool f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}

/// Integer types take what JSON Schema's `integer` takes: a number with a zero fractional
/// part, written `36` or `36.0` (serde_json would refuse the latter as a float).
macro_rules! integers {
    ($($method:ident)+) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
            match self.0 {
                Value::Number(n) => visit_integer(&n, visitor),
                other => ValueDeserializer(other).deserialize_any(visitor),
            }
        })+
    };
}
use integers;

/// Visits a number as an integer when it is one, whatever its spelling.
fn visit_integer<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, ShapeError> {
    // 2^64, past which no float is a u64 (nor, below -2^63, an i64).
    const TWO_POW_64: f64 = (1u128 << 64) as f64;
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && (0.0..TWO_POW_64).contains(&f) =>
        {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            visitor.visit_u64(f as u64)
        }
        Some(f) if n.is_f64() && f.fract() == 0.0 && (-TWO_POW_64 / 2.0..0.0).contains(&f) =>
        {
            #[allow(clippy::cast_possible_truncation)]
            visitor.visit_i64(f as i64)
        }
        _ => visit_number(n, visitor),
    }
}

impl IntoDeserializer<'_, ShapeError> for ValueDeserializer {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

fn visit_number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, ShapeError> {
    if let Some(u) = n.as_u64() {
        visitor.visit_u64(u)
    } else if let Some(i) = n.as_i64() {
        visitor.visit_i64(i)
    } else {
        visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
    }
}

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            (None, None) => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

fn visit_array<'de, V: Visitor<'de>>(items: Vec<Value>, visitor: V) -> Result<V::Value, ShapeError> {
    let len = items.len();
    let mut seq = SeqDeserializer(items.into_iter());
    let value = visitor.visit_seq(&mut seq)?;
    if seq.0.len() == 0 {
        Ok(value)
    } else {
        Err(de::Error::invalid_length(len, &"fewer elements in array"))
    }
}

fn visit_object<'de, V: Visitor<'de>>(map: Map<String, Value>, visitor: V) -> Result<V::Value, ShapeError> {
    let len = map.len();
    let mut access = MapDeserializer {
        entries: map.into_iter(),
        value: None,
    };
    let value = visitor.visit_map(&mut access)?;
    if access.entries.len() == 0 {
        Ok(value)
    } else {
        Err(de::Error::invalid_length(len, &"fewer elements in map"))
    }
}

struct SeqDeserializer(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for SeqDeserializer {
    type Error = ShapeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ShapeError> {
        self.0
            .next()
            .map(|value| seed.deserialize(ValueDeserializer(value)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct MapDeserializer {
    entries: <Map<String, Value> as IntoIterator>::IntoIter,
    value: Option<Value>,
}

impl<'de> MapAccess<'de> for MapDeserializer {
    type Error = ShapeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, ShapeError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(KeyDeserializer(key)).map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, ShapeError> {
        match self.value.take() {
            Some(value) => seed.deserialize(ValueDeserializer(value)),
            None => Err(de::Error::custom("value is missing")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An object's member name, which may stand for a number or a bool (`HashMap<u32, _>`), as
/// serde_json's map keys may.
struct KeyDeserializer(String);

impl KeyDeserializer {
    fn number<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        let key = self.0.as_str();
        let numeric = key.starts_with(|c: char| c == '-' || c.is_ascii_digit());
        if let (true, Ok(u)) = (numeric, key.parse::<u64>()) {
            visitor.visit_u64(u)
        } else if let (true, Ok(i)) = (numeric, key.parse::<i64>()) {
            visitor.visit_i64(i)
        } else if let (true, Ok(f)) = (numeric, key.parse::<f64>()) {
            visitor.visit_f64(f)
        } else {
            Err(de::Error::custom(
                "invalid value: expected key to be a number in quotes",
            ))
        }
    }
}

macro_rules! numeric_keys {
    ($($method:ident)+) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
            self.number(visitor)
        })+
    };
}

impl<'de> Deserializer<'de> for KeyDeserializer {
    type Error = ShapeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        visitor.visit_string(self.0)
    }

    numeric_keys!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64);

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        match self.0.as_str() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            other => Err(de::Error::invalid_type(Unexpected::Str(other), &visitor)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ShapeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ShapeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ShapeError> {
        self.0
            .into_deserializer()
            .deserialize_enum(name, variants, visitor)
    }

    forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct
        map struct identifier ignored_any
    }
}

struct EnumDeserializer {
    variant: String,
    value: Option<Value>,
}

impl<'de> EnumAccess<'de> for EnumDeserializer {
    type Error = ShapeError;
    type Variant = VariantDeserializer;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantDeserializer), ShapeError> {
        let variant = seed.deserialize(self.variant.into_deserializer())?;
        Ok((variant, VariantDeserializer(self.value)))
    }
}

/// A variant's content: `None` when the variant came as a bare string.
struct VariantDeserializer(Option<Value>);

impl<'de> VariantAccess<'de> for VariantDeserializer {
    type Error = ShapeError;

    fn unit_variant(self) -> Result<(), ShapeError> {
        match self.0 {
            Some(value) => de::Deserialize::deserialize(ValueDeserializer(value)),
            None => Ok(()),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, ShapeError> {
        match self.0 {
            Some(value) => seed.deserialize(ValueDeserializer(value)),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, ShapeError> {
        match self.0 {
            Some(Value::Array(items)) if items.is_empty() => visitor.visit_unit(),
            Some(Value::Array(items)) => visit_array(items, visitor),
            Some(other) => Err(de::Error::invalid_type(unexpected(&other), &"tuple variant")),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"tuple variant")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ShapeError> {
        match self.0 {
            Some(Value::Object(map)) => visit_object(map, visitor),
            Some(other) => Err(de::Error::invalid_type(unexpected(&other), &"struct variant")),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"struct variant",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde_json::json;
    use serde_json::value::RawValue;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        qty: u8,
        note: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    enum Shape {
        Dot,
        Circle(f64),
        Line(i32, i32),
        Rect { w: u16, h: u16 },
    }

    #[derive(Debug, Deserialize)]
    #[serde(tag = "kind")]
    #[allow(dead_code)]
    enum Tagged {
        A { n: u8 },
        B,
    }

    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Either {
        Num(u8),
        Text(String),
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Base {
        id: u32,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Order {
        title: String,
        items: Vec<Item>,
        shape: Option<Shape>,
        tagged: Option<Tagged>,
        either: Option<Either>,
        by_id: Option<BTreeMap<u32, bool>>,
        pair: Option<(u8, char)>,
        #[serde(default)]
        flag: bool,
        #[serde(flatten)]
        base: Base,
    }

    /// What serde_json's own `Value` deserializer reports, as (path, message). It parses a
    /// numeric map key as JSON text and so appends a position inside the key to errors about
    /// it (`... at line 1 column 2`); ours has no such suffix.
    fn by_serde_json(input: &Value) -> Result<(), (String, String)> {
        serde_path_to_error::deserialize::<_, Order>(input.clone())
            .map(drop)
            .map_err(|err| {
                let message = err.inner().to_string();
                let message = message.split(" at line 1 column ").next().unwrap_or_default();
                (err.path().to_string(), message.to_owned())
            })
    }

    fn by_us(input: &Value) -> Result<(), (String, String)> {
        serde_path_to_error::deserialize::<_, Order>(ValueDeserializer(input.clone()))
            .map(drop)
            .map_err(|err| (err.path().to_string(), err.inner().to_string()))
    }

    fn valid() -> Value {
        json!({
            "title": "t", "items": [{"qty": 1, "note": null}], "shape": {"Rect": {"w": 1, "h": 2}},
            "tagged": {"kind": "A", "n": 3}, "either": "x", "by_id": {"7": true}, "pair": [1, "c"],
            "id": 9
        })
    }

    #[test]
    fn fails_and_succeeds_exactly_where_serde_json_does_with_the_same_message() {
        let changes: Vec<(&str, Value)> = vec![
            ("title", json!(null)),
            ("title", json!(5)),
            ("title", json!(-5)),
            ("title", json!(1.5)),
            ("title", json!([])),
            ("title", json!({})),
            ("items", json!([{"qty": 256}])),
            ("items", json!([{"qty": -1}])),
            ("items", json!([{"qty": 1, "extra": 0}])),
            ("items", json!([{}])),
            ("items", json!({"qty": 1})),
            ("items", json!([{"qty": 1, "note": 3}])),
            ("shape", json!("Dot")),
            ("shape", json!("Hex")),
            ("shape", json!({"Dot": null})),
            ("shape", json!({"Dot": 1})),
            ("shape", json!("Circle")),
            ("shape", json!({"Circle": "r"})),
            ("shape", json!({"Line": [1]})),
            ("shape", json!({"Line": [1, 2, 3]})),
            ("shape", json!({"Line": 1})),
            ("shape", json!("Line")),
            ("shape", json!({"Rect": []})),
            ("shape", json!({"Rect": [1, 2]})),
            ("shape", json!({"Rect": 3})),
            ("shape", json!({"Rect": {"w": 1}})),
            ("shape", json!({"Dot": null, "Circle": 1})),
            ("shape", json!({})),
            ("shape", json!(7)),
            ("tagged", json!({"kind": "C"})),
            ("tagged", json!({"n": 1})),
            ("tagged", json!({"kind": "A", "n": "x"})),
            ("tagged", json!({"kind": "B"})),
            ("either", json!(3)),
            ("either", json!(true)),
            ("by_id", json!({"x": true})),
            ("by_id", json!({"-1": true})),
            ("by_id", json!({"1": 1})),
            ("pair", json!([1, "cd"])),
            ("pair", json!([1])),
            ("pair", json!([1, "c", 2])),
            ("flag", json!("yes")),
            ("id", json!("9")),
            ("id", json!(null)),
        ];
        let mut failures = 0;
        for (field, value) in changes {
            let mut input = valid();
            input[field] = value;
            let expected = by_serde_json(&input);
            failures += usize::from(expected.is_err());
            assert_eq!(by_us(&input), expected, "{input}");
        }
        assert!(failures > 30, "the cases exercise errors ({failures})");
        // Where serde_json parts from the schema (an integral float is an integer, a struct
        // is an object), the schema wins.
        for (value, accepted) in [(json!([{"qty": 1.0}]), true), (json!([[1, null]]), false)] {
            let mut input = valid();
            input["items"] = value;
            assert_eq!(by_us(&input).is_ok(), accepted, "{input}");
            assert_eq!(by_serde_json(&input).is_ok(), !accepted, "{input}");
        }
        assert_eq!(by_us(&valid()), Ok(()));
        for whole in [json!(null), json!(3), json!("x"), json!([]), json!({})] {
            assert_eq!(by_us(&whole), by_serde_json(&whole), "{whole}");
        }
    }

    #[test]
    fn raw_json_fields_decode_from_a_value() {
        #[derive(Deserialize)]
        struct Raw {
            inner: Box<RawValue>,
        }
        let raw: Raw = decode(json!({"inner": {"a": [1, 2]}})).unwrap();
        assert_eq!(raw.inner.get(), r#"{"a":[1,2]}"#);
    }

    #[test]
    fn each_constructor_records_its_code() {
        let code = |input: Value| decode::<Order>(input).unwrap_err().fields()[0].code.clone();
        let with = |field: &str, value: Value| {
            let mut input = valid();
            input[field] = value;
            code(input)
        };
        assert_eq!(with("title", json!(1)), FieldErrorCode::Type.as_str());
        assert_eq!(with("items", json!([{}])), FieldErrorCode::Required.as_str());
        assert_eq!(
            with("items", json!([{"qty": 1, "x": 1}])),
            FieldErrorCode::UnknownField.as_str()
        );
        assert_eq!(with("shape", json!("Hex")), FieldErrorCode::Choice.as_str());
        assert_eq!(with("pair", json!([1])), FieldErrorCode::Length.as_str());
        assert_eq!(
            with("items", json!([{"qty": 300}])),
            FieldErrorCode::Range.as_str()
        );
        assert_eq!(with("either", json!(true)), FieldErrorCode::Invalid.as_str());
        assert_eq!(
            with("shape", json!({})),
            FieldErrorCode::Invalid.as_str(),
            "invalid_value that is no integer"
        );
    }
}

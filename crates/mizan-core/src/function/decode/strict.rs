//! One pass over input text: serde_json reads it straight into the input type while this
//! wrapper checks what §1.1 asks of every input, so no separate walk of the text is needed.
//!
//! [`Strict`] wraps a deserializer and every visitor, sequence, map and enum it hands out,
//! so the whole text passes through it, values the input type ignores included (they are
//! read as `IgnoredAny` through the wrapper). It refuses:
//!
//! - a member name an object already has (names are kept per object, borrowed from the
//!   text unless they hold escapes);
//! - a number that is not a finite double (serde_json refuses `1e400` itself);
//! - a lone surrogate: every string is decoded as text, which makes serde_json check its
//!   escapes (byte strings would skip that, so they are refused);
//! - a struct written as an array, which the input's schema does not allow;
//! - what it cannot check while reading: raw values, and map keys that are not read as
//!   strings (numbers, enums).
//!
//! A refusal says nothing about why: the caller decodes the text again the reference way
//! (a strict parse into a value, then the value into the type), which finds the reason.
//! So a text this reader accepts decodes exactly as the reference does, and every text it
//! refuses gets the reference's error.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, EnumAccess, IgnoredAny, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use smallvec::SmallVec;

use crate::value_de::RAW_VALUE_TOKEN;

/// Reads `json` into `I` in one pass, checking it as the module docs say.
pub(super) fn read<'de, I: Deserialize<'de>>(json: &'de [u8]) -> Result<I, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let input = I::deserialize(Strict(&mut de))?;
    de.end()?;
    Ok(input)
}

fn refuse<E: de::Error>() -> E {
    E::custom("not read directly")
}

/// A deserializer whose every visitor is wrapped in [`Wrap`].
struct Strict<D>(D);

macro_rules! forward {
    ($($method:ident $(($($arg:ident: $ty:ty),*))?)*) => {
        $(fn $method<V: Visitor<'de>>(self, $($($arg: $ty,)*)? visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method($($($arg,)*)? Wrap::new(visitor))
        })*
    };
}

macro_rules! refused {
    ($($method:ident $(($($arg:ident: $ty:ty),*))?)*) => {
        $(fn $method<V: Visitor<'de>>(self, $($(_: $ty,)*)? _: V) -> Result<V::Value, D::Error> {
            Err(refuse())
        })*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
    type Error = D::Error;

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_option deserialize_unit deserialize_seq
        deserialize_map deserialize_identifier
        deserialize_unit_struct(name: &'static str)
        deserialize_tuple(len: usize)
        deserialize_tuple_struct(name: &'static str, len: usize)
        deserialize_enum(name: &'static str, variants: &'static [&'static str])
    }

    refused! { deserialize_bytes deserialize_byte_buf }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        if name == RAW_VALUE_TOKEN {
            return Err(refuse());
        }
        self.0.deserialize_newtype_struct(name, Wrap::new(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, Wrap::object(visitor))
    }

    /// Read, not skipped: serde_json skips a string without checking its escapes.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(Wrap::new(IgnoredAny))?;
        visitor.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// A visitor whose sequences, maps, enums and inner values are read through [`Strict`].
struct Wrap<V> {
    visitor: V,
    /// A struct: an object only, as its schema says.
    object_only: bool,
}

impl<V> Wrap<V> {
    fn new(visitor: V) -> Self {
        Self {
            visitor,
            object_only: false,
        }
    }

    fn object(visitor: V) -> Self {
        Self {
            visitor,
            object_only: true,
        }
    }
}

macro_rules! delegate {
    ($($method:ident($ty:ty))*) => {
        $(fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
            self.visitor.$method(v)
        })*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    delegate! {
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64)
        visit_i128(i128) visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64)
        visit_u128(u128) visit_f32(f32) visit_char(char) visit_str(&str)
        visit_borrowed_str(&'de str) visit_string(String) visit_bytes(&[u8])
        visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if !v.is_finite() {
            return Err(refuse());
        }
        self.visitor.visit_f64(v)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.visitor.visit_some(Strict(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.visitor.visit_newtype_struct(Strict(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        if self.object_only {
            return Err(refuse());
        }
        self.visitor.visit_seq(StrictSeq(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.visitor.visit_map(StrictMap {
            map,
            names: MemberNames::default(),
        })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.visitor.visit_enum(StrictEnum(data))
    }
}

/// A seed whose deserializer is wrapped in [`Strict`].
struct StrictSeed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for StrictSeed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Strict(d))
    }
}

struct StrictSeq<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for StrictSeq<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(StrictSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// An object's members, refusing a name the object already has.
struct StrictMap<'de, A> {
    map: A,
    names: MemberNames<'de>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StrictMap<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        self.map.next_key_seed(NameSeed {
            seed,
            names: &mut self.names,
        })
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.map.next_value_seed(StrictSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// The seed of a member name: the name goes into the object's names on its way to `seed`.
struct NameSeed<'n, 'de, S> {
    seed: S,
    names: &'n mut MemberNames<'de>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for NameSeed<'_, 'de, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Name {
            de: d,
            names: self.names,
        })
    }
}

/// A member name's deserializer: read as a string, or refused.
struct Name<'n, 'de, D> {
    de: D,
    names: &'n mut MemberNames<'de>,
}

impl<'n, 'de, D: Deserializer<'de>> Name<'n, 'de, D> {
    fn capture<V>(names: &'n mut MemberNames<'de>, visitor: V) -> Capture<'n, 'de, V> {
        Capture { visitor, names }
    }
}

macro_rules! names {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.de.$method(Self::capture(self.names, visitor))
        })*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Name<'_, 'de, D> {
    type Error = D::Error;

    names! { deserialize_any deserialize_str deserialize_string deserialize_identifier }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_str(Self::capture(self.names, IgnoredAny))?;
        visitor.visit_unit()
    }

    refused! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_bytes
        deserialize_byte_buf deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_unit_struct(name: &'static str)
        deserialize_newtype_struct(name: &'static str)
        deserialize_tuple(len: usize)
        deserialize_tuple_struct(name: &'static str, len: usize)
        deserialize_struct(name: &'static str, fields: &'static [&'static str])
        deserialize_enum(name: &'static str, variants: &'static [&'static str])
    }
}

/// Passes a member name on to `visitor` after adding it to the object's names.
struct Capture<'n, 'de, V> {
    visitor: V,
    names: &'n mut MemberNames<'de>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Capture<'_, 'de, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        self.names.insert(Cow::Borrowed(v)).map_err(|_| refuse())?;
        self.visitor.visit_borrowed_str(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.names
            .insert(Cow::Owned(v.to_owned()))
            .map_err(|_| refuse())?;
        self.visitor.visit_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        self.names.insert(Cow::Owned(v.clone())).map_err(|_| refuse())?;
        self.visitor.visit_string(v)
    }
}

struct StrictEnum<A>(A);

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for StrictEnum<A> {
    type Error = A::Error;
    type Variant = StrictVariant<A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self::Variant), A::Error> {
        let (value, variant) = self.0.variant_seed(StrictSeed(seed))?;
        Ok((value, StrictVariant(variant)))
    }
}

struct StrictVariant<A>(A);

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for StrictVariant<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(StrictSeed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Wrap::new(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, Wrap::object(visitor))
    }
}

/// The member names of one object so far, the first eight inline: reading a small object
/// allocates nothing for its names, and a deep one keeps its stack frames small.
#[derive(Default)]
struct MemberNames<'de> {
    few: SmallVec<[Cow<'de, str>; 8]>,
    many: HashSet<Cow<'de, str>>,
}

impl<'de> MemberNames<'de> {
    /// Most objects are small: a linear search beats hashing up to this many names.
    const LINEAR: usize = 16;

    /// Adds a name, or gives it back when the object already has it.
    fn insert(&mut self, name: Cow<'de, str>) -> Result<(), Cow<'de, str>> {
        if self.few.len() == Self::LINEAR {
            self.many.extend(self.few.drain(..));
        }
        let repeated = self.few.contains(&name) || self.many.contains(&name);
        if repeated {
            return Err(name);
        }
        if self.many.is_empty() {
            self.few.push(name);
        } else {
            self.many.insert(name);
        }
        Ok(())
    }
}

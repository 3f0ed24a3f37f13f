//! The one way a table of wire codes is declared.
//!
//! Every machine code the protocol carries (HTTP error codes, MWT rejections, canonical-JSON
//! rejections, field-error codes) is a row of a [`wire_codes!`] table: variant, wire string,
//! the table's extra column where it has one (an HTTP status, JSON Schema keywords), and a
//! doc comment that is also the code's published meaning. `spec/vectors/codes.json` is
//! rendered from these tables, and both test suites check their copies against it.

/// What every code table offers, so the vectors can export any of them the same way.
pub(crate) trait WireCode: Copy + 'static {
    /// Every code, in declaration order.
    const ALL: &'static [Self];

    /// The stable machine code sent on the wire.
    fn as_str(self) -> &'static str;

    /// What the code means: its doc comment.
    fn description(self) -> &'static str;
}

/// Declares a `#[non_exhaustive]` enum of wire codes with `ALL`, `as_str`, `description`
/// (the row's doc comment), `from_code`, `Display` and `Serialize` (as the wire string).
///
/// A table with an extra column names it once, as a documented `const fn`, and each row
/// gives its value after the code (the macro is crate-private, so this is shown, not run;
/// `error.rs` is the live example):
///
/// ```text
/// wire_codes! {
///     /// The framework's own error codes.
///     pub enum ErrorCode {
///         /// The HTTP status an adapter answers with.
///         fn status -> u16;
///         /// The request body is not valid JSON.
///         InvalidJson = ("invalid_json", 400),
///     }
/// }
/// ```
macro_rules! wire_codes {
    (
        $(#[doc = $enum_doc:literal])+
        $vis:vis enum $name:ident {
            $(#[doc = $column_doc:literal])+
            fn $column:ident -> $column_ty:ty;
            $($(#[doc = $doc:literal])+ $variant:ident = ($code:literal, $value:expr),)+
        }
    ) => {
        wire_codes! {
            $(#[doc = $enum_doc])+
            $vis enum $name { $($(#[doc = $doc])+ $variant = $code,)+ }
        }

        impl $name {
            $(#[doc = $column_doc])+
            pub const fn $column(self) -> $column_ty {
                match self { $($name::$variant => $value,)+ }
            }
        }
    };
    (
        $(#[doc = $enum_doc:literal])+
        $vis:vis enum $name:ident {
            $($(#[doc = $doc:literal])+ $variant:ident = $code:literal,)+
        }
    ) => {
        $(#[doc = $enum_doc])+
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl $name {
            /// Every code, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable machine code sent on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// What the code means, for documentation and generated code tables.
            pub fn description(self) -> &'static str {
                match self { $($name::$variant => concat!($($doc),+).trim_ascii(),)+ }
            }

            /// Looks a wire code up in the table.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::codes::WireCode for $name {
            const ALL: &'static [Self] = $name::ALL;

            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }

            fn description(self) -> &'static str {
                $name::description(self)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_codes;

#[cfg(test)]
mod tests {
    use super::WireCode;
    use crate::{CanonicalErrorCode, ErrorCode, FieldErrorCode, MwtErrorCode};

    fn check_table<C: WireCode + std::fmt::Debug + PartialEq>(from_code: fn(&str) -> Option<C>) {
        let mut seen = std::collections::BTreeSet::new();
        for &code in C::ALL {
            let wire = code.as_str();
            assert!(seen.insert(wire), "{wire} declared twice");
            assert!(
                !wire.is_empty() && wire.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{wire} is not snake_case"
            );
            assert_eq!(from_code(wire), Some(code));
            let meaning = code.description();
            assert!(
                meaning.ends_with('.') && !meaning.starts_with(' '),
                "{wire}: {meaning:?}"
            );
        }
        assert_eq!(from_code("nope"), None);
    }

    #[test]
    fn every_table_round_trips_and_documents_its_codes() {
        check_table(ErrorCode::from_code);
        check_table(MwtErrorCode::from_code);
        check_table(CanonicalErrorCode::from_code);
        check_table(FieldErrorCode::from_code);
    }

    #[test]
    fn codes_serialize_as_their_wire_string() {
        assert_eq!(serde_json::json!(ErrorCode::TooDeep), "too_deep");
        assert_eq!(ErrorCode::CsrfFailed.to_string(), "csrf_failed");
    }
}

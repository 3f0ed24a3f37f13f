//! Cache keys and permission keys: HMAC-SHA256 digests over RFC 8785 canonical JSON.
//!
//! A cache key names one cached result: the function, its input, who may read it and the
//! revision it was computed at. A permission key names a set of permissions, so every user
//! holding exactly that set shares `permission`-scoped entries and no one ever reads an
//! entry computed for a different set. Both are keyed with a server secret so a client
//! cannot forge or predict keys. `spec/PROTOCOL.md` §1 specifies both byte for byte.

use std::fmt;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::canonical::{self, CanonicalError, JcsSink};

/// Version of the digest envelopes (the `"v"` member); bumping it changes every key.
pub const KEY_VERSION: u32 = 1;

/// Who may read a cached entry, as written into the cache-key envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyScope {
    /// Anyone; `who` is always the empty string.
    Public,
    /// Everyone with the same permission set; `who` is their [`permission_key`].
    Permission,
    /// One user; `who` is the user id.
    User,
}

impl KeyScope {
    /// The name written into the envelope: `"public"`, `"permission"` or `"user"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Permission => "permission",
            Self::User => "user",
        }
    }
}

impl fmt::Display for KeyScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub(crate) fn keyed_mac(secret: &[u8]) -> Hmac<Sha256> {
    // HMAC hashes or pads keys of any length; `new_from_slice` only fails for MACs with
    // fixed key sizes.
    Hmac::new_from_slice(secret).expect("HMAC accepts keys of any length")
}

/// Derives cache and permission keys under one secret, reusing the keyed HMAC state.
///
/// Keying an HMAC costs two SHA-256 blocks; a long-lived `KeyDeriver` pays that once,
/// which roughly halves the cost of each key. The free functions [`cache_key`] and
/// [`permission_key`] are the same computation without the reuse.
///
/// ```
/// use mizan_core::{KeyDeriver, KeyScope};
/// use serde_json::json;
///
/// let keys = KeyDeriver::new(b"server secret");
/// let perm = keys.permission_key(["posts.read", "posts.write"]);
/// let key = keys.cache_key("posts.list", &json!({"page": 2}), KeyScope::Permission, &perm, 3)?;
/// assert_eq!(key.len(), 64);
/// # Ok::<(), mizan_core::CanonicalError>(())
/// ```
#[derive(Clone)]
pub struct KeyDeriver {
    mac: Hmac<Sha256>,
}

impl fmt::Debug for KeyDeriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyDeriver")
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl KeyDeriver {
    /// Keys a deriver with `secret` (any length; 32 random bytes recommended).
    pub fn new(secret: &[u8]) -> Self {
        Self {
            mac: keyed_mac(secret),
        }
    }

    /// The cache key; see [`cache_key`].
    ///
    /// # Errors
    ///
    /// [`CanonicalError::NumberOutOfRange`] if `input` holds a non-finite number.
    pub fn cache_key(
        &self,
        function: &str,
        input: &Value,
        scope: KeyScope,
        who: &str,
        rev: u64,
    ) -> Result<String, CanonicalError> {
        let who = if scope == KeyScope::Public { "" } else { who };
        // One HMAC update over a buffer beats dozens of tiny ones.
        let mut envelope = String::with_capacity(96 + function.len() + who.len());
        // Members in RFC 8785 order: fn, input, rev, scope, v, who.
        envelope.put("{\"fn\":");
        canonical::write_string(function, &mut envelope);
        envelope.put(",\"input\":");
        canonical::write_value(input, &mut envelope)?;
        envelope.put(",\"rev\":");
        // As JavaScript (and JCS) would print it: digits up to 2^53, through a double above.
        canonical::write_number(&rev.into(), &mut envelope)?;
        envelope.put(",\"scope\":\"");
        envelope.put(scope.as_str());
        envelope.put("\",\"v\":1,\"who\":");
        canonical::write_string(who, &mut envelope);
        envelope.put("}");
        let mut mac = self.mac.clone();
        mac.update(envelope.as_bytes());
        Ok(lower_hex(&mac.finalize().into_bytes()))
    }

    /// The permission key; see [`permission_key`].
    pub fn permission_key<'a>(&self, perms: impl IntoIterator<Item = &'a str>) -> String {
        let mut perms: Vec<&str> = perms.into_iter().collect();
        // Byte order of UTF-8, not JCS's UTF-16 order: this is an array, sorted by us.
        perms.sort_unstable();
        perms.dedup();
        let mut message = String::with_capacity(20 + perms.iter().map(|p| p.len() + 3).sum::<usize>());
        message.put("{\"perms\":[");
        for (i, perm) in perms.iter().enumerate() {
            if i > 0 {
                message.put(",");
            }
            canonical::write_string(perm, &mut message);
        }
        message.put("],\"v\":1}");
        let mut mac = self.mac.clone();
        mac.update(message.as_bytes());
        lower_hex(&mac.finalize().into_bytes()[..PERMISSION_KEY_BYTES])
    }
}

/// A permission key is the first 16 bytes (32 hex digits) of its HMAC.
const PERMISSION_KEY_BYTES: usize = 16;

/// The cache key of one result: lowercase hex of
/// `HMAC-SHA256(secret, JCS({"v":1,"fn":function,"input":input,"scope":scope,"who":who,"rev":rev}))`.
///
/// `who` is the empty string for [`KeyScope::Public`] (whatever is passed), the caller's
/// [`permission_key`] for [`KeyScope::Permission`] and the user id for [`KeyScope::User`].
/// `rev` is written as a JSON number, so it is exact only up to 2^53.
///
/// ```
/// use mizan_core::{cache_key, KeyScope};
/// use serde_json::json;
///
/// let a = cache_key(b"secret", "posts.get", &json!({"id": 1, "x": null}), KeyScope::User, "u7", 1)?;
/// let b = cache_key(b"secret", "posts.get", &json!({"x": null, "id": 1.0}), KeyScope::User, "u7", 1)?;
/// assert_eq!(a, b, "the same input, differently written, has one key");
/// # Ok::<(), mizan_core::CanonicalError>(())
/// ```
///
/// # Errors
///
/// [`CanonicalError::NumberOutOfRange`] if `input` holds a non-finite number (possible
/// only with `serde_json/arbitrary_precision`).
pub fn cache_key(
    secret: &[u8],
    function: &str,
    input: &Value,
    scope: KeyScope,
    who: &str,
    rev: u64,
) -> Result<String, CanonicalError> {
    KeyDeriver::new(secret).cache_key(function, input, scope, who, rev)
}

/// The permission key of a set of permission names: lowercase hex of the first 16 bytes
/// of `HMAC-SHA256(secret, JCS({"v":1,"perms":P}))`, where `P` is the names deduplicated
/// and sorted by their UTF-8 bytes.
///
/// ```
/// let a = mizan_core::permission_key(b"secret", ["b", "a", "b"]);
/// assert_eq!(a, mizan_core::permission_key(b"secret", ["a", "b"]));
/// assert_eq!(a.len(), 32);
/// ```
pub fn permission_key<'a>(secret: &[u8], perms: impl IntoIterator<Item = &'a str>) -> String {
    KeyDeriver::new(secret).permission_key(perms)
}

/// Lowercase hex of a digest. Not `hex::encode_to_slice`: its iterator of output positions
/// cost more than the HMAC itself on the cache-hit path (callgrind).
fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = vec![0; bytes.len() * 2];
    for (pair, &byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0xf)];
    }
    String::from_utf8(out).expect("hex digits are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hmac_hex(secret: &[u8], message: &str) -> String {
        let mut mac = keyed_mac(secret);
        mac.update(message.as_bytes());
        // The hex crate, not `lower_hex`: the expected key is written independently.
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn cache_key_is_hmac_over_the_literal_envelope() {
        let key = cache_key(
            b"k",
            "posts.get",
            &json!({"z": [1.5], "a": "é"}),
            KeyScope::User,
            "u1",
            7,
        )
        .unwrap();
        let literal =
            r#"{"fn":"posts.get","input":{"a":"é","z":[1.5]},"rev":7,"scope":"user","v":1,"who":"u1"}"#;
        assert_eq!(key, hmac_hex(b"k", literal));
    }

    #[test]
    fn cache_key_matches_jcs_of_the_envelope_value() {
        let inputs = [
            json!(null),
            json!({}),
            json!([1e21, -0.0, "\u{1f}"]),
            json!({"\u{e000}": 1, "😀": 2}),
        ];
        for (i, input) in inputs.iter().enumerate() {
            for scope in [KeyScope::Public, KeyScope::Permission, KeyScope::User] {
                let who = if scope == KeyScope::Public { "" } else { "w\"ho" };
                let rev = 1u64 << (i * 13);
                let envelope = json!({"v": 1, "fn": "f.g", "input": input, "scope": scope.as_str(), "who": who, "rev": rev});
                let expected = hmac_hex(b"secret", &canonical::canonicalize(&envelope).unwrap());
                assert_eq!(
                    cache_key(b"secret", "f.g", input, scope, who, rev).unwrap(),
                    expected
                );
            }
        }
    }

    #[test]
    fn every_envelope_member_changes_the_key() {
        let base = cache_key(b"s", "f", &json!({"id": 1}), KeyScope::User, "u", 1).unwrap();
        let variants = [
            cache_key(b"t", "f", &json!({"id": 1}), KeyScope::User, "u", 1),
            cache_key(b"s", "g", &json!({"id": 1}), KeyScope::User, "u", 1),
            cache_key(b"s", "f", &json!({"id": 2}), KeyScope::User, "u", 1),
            cache_key(b"s", "f", &json!({"id": 1}), KeyScope::Permission, "u", 1),
            cache_key(b"s", "f", &json!({"id": 1}), KeyScope::User, "v", 1),
            cache_key(b"s", "f", &json!({"id": 1}), KeyScope::User, "u", 2),
        ];
        for variant in variants {
            assert_ne!(variant.unwrap(), base);
        }
    }

    #[test]
    fn public_scope_ignores_who() {
        let a = cache_key(b"s", "f", &json!(1), KeyScope::Public, "", 0).unwrap();
        assert_eq!(
            cache_key(b"s", "f", &json!(1), KeyScope::Public, "alice", 0).unwrap(),
            a
        );
    }

    #[test]
    fn permission_key_is_truncated_hmac_over_sorted_unique_names() {
        // U+FF61 sorts before U+1F600 in UTF-8 bytes but after it in UTF-16 units.
        let key = permission_key(b"k", ["😀", "｡", "b", "😀", "a"]);
        let literal = "{\"perms\":[\"a\",\"b\",\"｡\",\"😀\"],\"v\":1}";
        assert_eq!(key, hmac_hex(b"k", literal)[..32]);
        assert_eq!(
            permission_key(b"k", []),
            hmac_hex(b"k", r#"{"perms":[],"v":1}"#)[..32]
        );
    }

    #[test]
    fn deriver_debug_hides_the_secret() {
        let debug = format!("{:?}", KeyDeriver::new(b"hunter2"));
        assert!(
            !debug.contains("hunter2") && debug.contains("redacted"),
            "{debug}"
        );
    }
}

//! Signing keys by id, one of them active: key rotation for MWTs.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::error::{IssueError, KeyringError};
use super::{B64, Claims, DEFAULT_MAX_TOKEN_LEN, MWT_PREFIX};
use crate::canonical;
use crate::keys::keyed_mac;

/// One signing secret, held as a keyed HMAC state; never printed.
#[derive(Clone)]
pub(super) struct SigningKey {
    pub(super) mac: Hmac<Sha256>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The keys that sign and verify MWTs, by key id (`kid`), with one active for signing.
///
/// Rotate by [`insert`](Self::insert)ing a new key, [`set_active`](Self::set_active) on it,
/// and [`remove`](Self::remove)ing the old one once its tokens have expired: until then,
/// tokens signed with the old key still verify.
///
/// ```
/// use mizan_core::{Claims, Keyring};
///
/// let mut ring = Keyring::new("2024-01", b"first secret, 32 bytes or more..")?;
/// let old = ring.issue(Claims::new("user-1", "pk", 1_700_000_000, 1_700_003_600))?;
///
/// ring.insert("2024-02", b"second secret, also long enough..")?;
/// ring.set_active("2024-02")?;
/// let new = ring.issue(Claims::new("user-1", "pk", 1_700_000_000, 1_700_003_600))?;
///
/// assert_eq!(ring.verify(&old, 1_700_000_100, 0)?.kid, "2024-01");
/// assert_eq!(ring.verify(&new, 1_700_000_100, 0)?.kid, "2024-02");
/// ring.remove("2024-01")?;
/// assert_eq!(ring.verify(&old, 1_700_000_100, 0).unwrap_err().code().as_str(), "unknown_kid");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Keyring {
    pub(super) keys: BTreeMap<String, SigningKey>,
    active: String,
    pub(super) max_token_len: usize,
}

impl Keyring {
    /// A keyring holding one key, active for signing.
    ///
    /// # Errors
    ///
    /// [`KeyringError::EmptyKid`] or [`KeyringError::EmptySecret`].
    pub fn new(kid: impl Into<String>, secret: &[u8]) -> Result<Self, KeyringError> {
        let kid = kid.into();
        let mut ring = Self {
            keys: BTreeMap::new(),
            active: kid.clone(),
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
        };
        ring.insert(kid, secret)?;
        Ok(ring)
    }

    /// Adds a key (or replaces the secret of an existing id) without activating it.
    ///
    /// # Errors
    ///
    /// [`KeyringError::EmptyKid`] or [`KeyringError::EmptySecret`].
    pub fn insert(&mut self, kid: impl Into<String>, secret: &[u8]) -> Result<(), KeyringError> {
        let kid = kid.into();
        if kid.is_empty() {
            return Err(KeyringError::EmptyKid);
        }
        if secret.is_empty() {
            return Err(KeyringError::EmptySecret { kid });
        }
        self.keys.insert(
            kid,
            SigningKey {
                mac: keyed_mac(secret),
            },
        );
        Ok(())
    }

    /// Makes `kid` the key new tokens are signed with.
    ///
    /// # Errors
    ///
    /// [`KeyringError::UnknownKid`] if the ring does not hold `kid`.
    pub fn set_active(&mut self, kid: &str) -> Result<(), KeyringError> {
        if !self.keys.contains_key(kid) {
            return Err(KeyringError::UnknownKid { kid: kid.to_owned() });
        }
        kid.clone_into(&mut self.active);
        Ok(())
    }

    /// Removes a key; tokens signed with it are then rejected as `unknown_kid`.
    ///
    /// # Errors
    ///
    /// [`KeyringError::RemovingActiveKey`] for the active key,
    /// [`KeyringError::UnknownKid`] if the ring does not hold `kid`.
    pub fn remove(&mut self, kid: &str) -> Result<(), KeyringError> {
        if kid == self.active {
            return Err(KeyringError::RemovingActiveKey { kid: kid.to_owned() });
        }
        match self.keys.remove(kid) {
            Some(_) => Ok(()),
            None => Err(KeyringError::UnknownKid { kid: kid.to_owned() }),
        }
    }

    /// The id of the signing key.
    pub fn active_kid(&self) -> &str {
        &self.active
    }

    /// The ids of all keys, sorted.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// Sets the longest token [`verify`](Self::verify) accepts and [`issue`](Self::issue)
    /// produces (default [`DEFAULT_MAX_TOKEN_LEN`]).
    #[must_use]
    pub fn with_max_token_len(mut self, max: usize) -> Self {
        self.max_token_len = max;
        self
    }

    /// The longest token [`verify`](Self::verify) accepts, in bytes.
    pub fn max_token_len(&self) -> usize {
        self.max_token_len
    }

    /// Signs `claims` with the active key (setting `claims.kid` to it) and returns the token.
    ///
    /// # Errors
    ///
    /// [`IssueError`] if the claims cannot be represented (reserved application claim
    /// names, times beyond 2^53-1), or make a token longer than
    /// [`max_token_len`](Self::max_token_len): the one limit of both issuing and verifying.
    pub fn issue(&self, mut claims: Claims) -> Result<String, IssueError> {
        claims.kid.clone_from(&self.active);
        let payload = canonical::canonicalize(&serde_json::Value::Object(claims.to_object()?))?;
        let token = self
            .sign_payload(&self.active, payload.as_bytes())
            .unwrap_or_default();
        if token.len() > self.max_token_len {
            return Err(IssueError::Oversize {
                len: token.len(),
                max: self.max_token_len,
            });
        }
        Ok(token)
    }

    /// Signs arbitrary payload bytes as an MWT with key `kid`; `None` for an unknown key.
    ///
    /// Only for building test vectors of tokens a correct issuer never produces.
    pub(crate) fn sign_payload(&self, kid: &str, payload: &[u8]) -> Option<String> {
        let key = self.keys.get(kid)?;
        let mut token = String::with_capacity(MWT_PREFIX.len() + 1 + payload.len() * 4 / 3 + 48);
        token.push_str(MWT_PREFIX);
        token.push('.');
        B64.encode_string(payload, &mut token);
        let mut mac = key.mac.clone();
        mac.update(token.as_bytes());
        token.push('.');
        B64.encode_string(mac.finalize().into_bytes(), &mut token);
        Some(token)
    }
}

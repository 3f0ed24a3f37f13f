//! The claims an MWT carries.

use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::error::{ClaimProblem, IssueError, MwtError};

/// The largest integer JavaScript represents exactly (2^53 - 1); times must not exceed it.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Claim names the format defines; application claims may not use them.
pub const RESERVED_CLAIMS: [&str; 6] = ["sub", "pk", "iat", "exp", "kid", "perms"];

/// The claims of an MWT.
///
/// The required claims are typed fields; application claims live in [`Claims::extra`].
/// By convention `perms` carries the subject's permission names: the HTTP adapter
/// authorizes with them and first checks that `pk` is their
/// [`permission_key`](crate::permission_key) ([`Claims::permission_key_matches`]), so a
/// token can never pair one permission set with another set's cache entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// Subject: the user id.
    pub sub: String,
    /// The subject's permission key.
    pub pk: String,
    /// Issued at, in seconds since the Unix epoch.
    pub iat: u64,
    /// Expires at, in seconds since the Unix epoch.
    pub exp: u64,
    /// Id of the signing key; [`Keyring::issue`](super::Keyring::issue) sets it.
    pub kid: String,
    /// The subject's permission names, when the issuer includes them.
    pub perms: Option<Vec<String>>,
    /// Application claims, none named like a reserved claim.
    pub extra: Map<String, Value>,
}

impl Claims {
    /// Claims with the required fields; `kid` is filled in when the token is issued.
    pub fn new(sub: impl Into<String>, pk: impl Into<String>, iat: u64, exp: u64) -> Self {
        Self {
            sub: sub.into(),
            pk: pk.into(),
            iat,
            exp,
            kid: String::new(),
            perms: None,
            extra: Map::new(),
        }
    }

    /// Adds the `perms` claim.
    #[must_use]
    pub fn with_perms<S: Into<String>>(mut self, perms: impl IntoIterator<Item = S>) -> Self {
        self.perms = Some(perms.into_iter().map(Into::into).collect());
        self
    }

    /// Adds an application claim.
    #[must_use]
    pub fn with_claim(mut self, name: impl Into<String>, value: Value) -> Self {
        self.extra.insert(name.into(), value);
        self
    }

    /// Whether `pk` is the permission key of `perms` under `secret` (false without `perms`).
    pub fn permission_key_matches(&self, secret: &[u8]) -> bool {
        let Some(perms) = &self.perms else { return false };
        let expected = crate::keys::permission_key(secret, perms.iter().map(String::as_str));
        expected.as_bytes().ct_eq(self.pk.as_bytes()).into()
    }

    /// The claims as the JSON object that is signed.
    ///
    /// # Errors
    ///
    /// [`IssueError::ReservedClaim`] if an application claim reuses a reserved name,
    /// [`IssueError::TimeOutOfRange`] if `iat` or `exp` exceeds [`MAX_SAFE_INTEGER`].
    pub fn to_object(&self) -> Result<Map<String, Value>, IssueError> {
        for (claim, value) in [("iat", self.iat), ("exp", self.exp)] {
            if value > MAX_SAFE_INTEGER {
                return Err(IssueError::TimeOutOfRange { claim, value });
            }
        }
        if let Some(name) = self
            .extra
            .keys()
            .find(|name| RESERVED_CLAIMS.contains(&name.as_str()))
        {
            return Err(IssueError::ReservedClaim { name: name.clone() });
        }
        let mut object = Map::with_capacity(6 + self.extra.len());
        object.insert("sub".into(), self.sub.clone().into());
        object.insert("pk".into(), self.pk.clone().into());
        object.insert("iat".into(), self.iat.into());
        object.insert("exp".into(), self.exp.into());
        object.insert("kid".into(), self.kid.clone().into());
        if let Some(perms) = &self.perms {
            object.insert("perms".into(), perms.clone().into());
        }
        object.extend(self.extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ok(object)
    }

    /// The claims of a payload as read, each required claim checked in the order `sub`,
    /// `pk`, `iat`, `exp`, `kid`, then `perms` (`spec/PROTOCOL.md` §1.4, step 9).
    pub(super) fn from_read(read: ReadClaims) -> Result<Self, MwtError> {
        Ok(Self {
            sub: read.sub.require("sub", ClaimProblem::NotString)?,
            pk: read.pk.require("pk", ClaimProblem::NotString)?,
            iat: read.iat.require("iat", ClaimProblem::NotSafeInteger)?,
            exp: read.exp.require("exp", ClaimProblem::NotSafeInteger)?,
            kid: read.kid.require("kid", ClaimProblem::NotString)?,
            perms: match read.perms {
                Slot::Missing => None,
                perms => Some(perms.require("perms", ClaimProblem::NotStringArray)?),
            },
            extra: read.extra,
        })
    }
}

/// A payload's claims as its members are read, before any is required: each reserved
/// claim in its slot, already converted when it has its type, the others application
/// claims. Type errors wait for [`Claims::from_read`], because verification reports them
/// only after the signature (all but `kid`, which [`ReadClaims::kid`] gives early).
#[derive(Default)]
pub(super) struct ReadClaims {
    sub: Slot<String>,
    pk: Slot<String>,
    iat: Slot<u64>,
    exp: Slot<u64>,
    kid: Slot<String>,
    perms: Slot<Vec<String>>,
    extra: Map<String, Value>,
}

impl ReadClaims {
    /// Files the member `name`. A repeated name keeps its last value; such a payload is
    /// not canonical, which verification rejects before looking at any claim.
    pub(super) fn insert(&mut self, name: &str, value: Value) {
        match name {
            "sub" => self.sub = string_slot(value),
            "pk" => self.pk = string_slot(value),
            "iat" => self.iat = time_slot(value),
            "exp" => self.exp = time_slot(value),
            "kid" => self.kid = string_slot(value),
            "perms" => self.perms = strings_slot(value),
            _ => {
                self.extra.insert(name.to_owned(), value);
            }
        }
    }

    /// The `kid` claim, checked as [`Claims::from_read`] checks it: verification needs
    /// its key before it checks the signature.
    pub(super) fn kid(&self) -> Result<&str, MwtError> {
        self.kid
            .as_ref()
            .require("kid", ClaimProblem::NotString)
            .map(String::as_str)
    }
}

/// A reserved claim as the payload has it.
#[derive(Default)]
enum Slot<T> {
    /// No member has the claim's name.
    #[default]
    Missing,
    /// The member's value does not have the claim's type.
    Mismatch,
    /// The member's value, of the claim's type.
    Present(T),
}

impl<T> Slot<T> {
    fn new(value: Option<T>) -> Self {
        value.map_or(Self::Mismatch, Self::Present)
    }

    fn as_ref(&self) -> Slot<&T> {
        match self {
            Self::Missing => Slot::Missing,
            Self::Mismatch => Slot::Mismatch,
            Self::Present(value) => Slot::Present(value),
        }
    }

    /// The value, or why `claim` has none: `mismatch` is the problem of a wrong type.
    fn require(self, claim: &'static str, mismatch: ClaimProblem) -> Result<T, MwtError> {
        match self {
            Self::Present(value) => Ok(value),
            Self::Missing => Err(invalid(claim, ClaimProblem::Missing)),
            Self::Mismatch => Err(invalid(claim, mismatch)),
        }
    }
}

fn invalid(claim: &'static str, problem: ClaimProblem) -> MwtError {
    MwtError::InvalidClaims { claim, problem }
}

fn string_slot(value: Value) -> Slot<String> {
    match value {
        Value::String(s) => Slot::Present(s),
        _ => Slot::Mismatch,
    }
}

fn time_slot(value: Value) -> Slot<u64> {
    Slot::new(value.as_u64().filter(|&t| t <= MAX_SAFE_INTEGER))
}

fn strings_slot(value: Value) -> Slot<Vec<String>> {
    let Value::Array(items) = value else {
        return Slot::Mismatch;
    };
    Slot::new(
        items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
    )
}

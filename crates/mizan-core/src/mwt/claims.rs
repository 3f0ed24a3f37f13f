//! The claims an MWT carries.

use serde_json::{Map, Value};
use std::borrow::Cow;
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

    /// Reads and type-checks the claims of a decoded payload, taking its values.
    /// The claims of a payload's members, each required claim checked in the order
    /// `sub`, `pk`, `iat`, `exp`, `kid`, then `perms`; the rest are application claims.
    pub(crate) fn from_members<'a>(
        members: impl IntoIterator<Item = (Cow<'a, str>, Value)>,
    ) -> Result<Self, MwtError> {
        let [mut sub, mut pk, mut iat, mut exp, mut kid, mut perms] = [None, None, None, None, None, None];
        let mut extra = Map::new();
        for (name, value) in members {
            let slot = match name.as_ref() {
                "sub" => &mut sub,
                "pk" => &mut pk,
                "iat" => &mut iat,
                "exp" => &mut exp,
                "kid" => &mut kid,
                "perms" => &mut perms,
                _ => {
                    extra.insert(name.into_owned(), value);
                    continue;
                }
            };
            *slot = Some(value);
        }
        let sub = string_claim(sub, "sub")?;
        let pk = string_claim(pk, "pk")?;
        let iat = time_claim(iat, "iat")?;
        let exp = time_claim(exp, "exp")?;
        let kid = string_claim(kid, "kid")?;
        let perms = match perms {
            None => None,
            Some(Value::Array(items)) => Some(
                items
                    .into_iter()
                    .map(|item| match item {
                        Value::String(s) => Ok(s),
                        _ => Err(invalid("perms", ClaimProblem::NotStringArray)),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Some(_) => return Err(invalid("perms", ClaimProblem::NotStringArray)),
        };
        Ok(Self {
            sub,
            pk,
            iat,
            exp,
            kid,
            perms,
            extra,
        })
    }
}

fn invalid(claim: &'static str, problem: ClaimProblem) -> MwtError {
    MwtError::InvalidClaims { claim, problem }
}

fn string_claim(value: Option<Value>, claim: &'static str) -> Result<String, MwtError> {
    match value {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(invalid(claim, ClaimProblem::NotString)),
        None => Err(invalid(claim, ClaimProblem::Missing)),
    }
}

fn time_claim(value: Option<Value>, claim: &'static str) -> Result<u64, MwtError> {
    match value {
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|&t| t <= MAX_SAFE_INTEGER)
            .ok_or(invalid(claim, ClaimProblem::NotSafeInteger)),
        Some(_) => Err(invalid(claim, ClaimProblem::NotSafeInteger)),
        None => Err(invalid(claim, ClaimProblem::Missing)),
    }
}

//! Every way issuing or verifying an MWT can fail.

use std::fmt;

use crate::codes::wire_codes;

wire_codes! {
    /// The stable, language-neutral name of an MWT rejection.
    ///
    /// These strings are part of the protocol: `spec/vectors/mwt.json` uses them and the
    /// TypeScript verifier reports the same ones. [`MwtErrorCode::ALL`] lists them in the
    /// order verification checks for them.
    pub enum MwtErrorCode {
        /// Longer than the verifier's limit; nothing was decoded.
        Oversize = "oversize",
        /// Not `mwt1.<payload>.<signature>` with non-empty parts and a 32-byte MAC.
        Malformed = "malformed",
        /// The text before the first `.` is not `mwt1`.
        WrongVersion = "wrong_version",
        /// A part is not canonical unpadded base64url.
        BadEncoding = "bad_encoding",
        /// The payload is not UTF-8 JSON text of an object.
        InvalidPayload = "invalid_payload",
        /// The payload is not exactly the JCS form of itself.
        NonCanonical = "non_canonical",
        /// The `kid` claim names no key in the verifier's keyring.
        UnknownKid = "unknown_kid",
        /// The MAC does not match.
        BadSignature = "bad_signature",
        /// A required claim is missing or has the wrong type.
        InvalidClaims = "invalid_claims",
        /// `now > exp + leeway`.
        Expired = "expired",
        /// `iat > now + leeway`.
        NotYetValid = "not_yet_valid",
    }
}

/// Which dot-separated part of a token a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPart {
    /// The base64url JCS claims.
    Payload,
    /// The base64url HMAC.
    Signature,
}

impl fmt::Display for TokenPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Payload => "payload",
            Self::Signature => "signature",
        })
    }
}

/// What is wrong with a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimProblem {
    /// A required claim is absent.
    Missing,
    /// The claim is not a string.
    NotString,
    /// The claim is not an integer in `0..=2^53-1`.
    NotSafeInteger,
    /// The claim is not an array of strings.
    NotStringArray,
}

impl fmt::Display for ClaimProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Missing => "is missing",
            Self::NotString => "must be a string",
            Self::NotSafeInteger => "must be an integer between 0 and 2^53-1",
            Self::NotStringArray => "must be an array of strings",
        })
    }
}

/// Why a token was rejected; [`MwtError::code`] gives its stable name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MwtError {
    /// The token is longer than the verifier accepts.
    #[error("token is {len} bytes, more than the {max} allowed")]
    Oversize {
        /// The token's length in bytes.
        len: usize,
        /// The configured limit.
        max: usize,
    },
    /// The token does not have the `mwt1.<payload>.<signature>` shape.
    #[error("malformed token: {reason}")]
    Malformed {
        /// What shape rule was broken.
        reason: &'static str,
    },
    /// The version prefix is not `mwt1`.
    #[error("unsupported token version {found:?} (expected \"mwt1\")")]
    WrongVersion {
        /// The prefix found (at most 16 characters of it).
        found: String,
    },
    /// A part is not canonical unpadded base64url.
    #[error("the {part} is not canonical unpadded base64url")]
    BadEncoding {
        /// The part that failed to decode.
        part: TokenPart,
    },
    /// The payload is not JSON text of an object.
    #[error("the payload is not a JSON object: {reason}")]
    InvalidPayload {
        /// What the payload is instead.
        reason: String,
    },
    /// The payload is JSON but not in RFC 8785 canonical form.
    #[error("the payload is not in RFC 8785 canonical form")]
    NonCanonical,
    /// No key in the keyring has this id.
    #[error("no key with id {kid:?}")]
    UnknownKid {
        /// The `kid` claim of the token.
        kid: String,
    },
    /// The MAC does not match the payload under the named key.
    #[error("signature does not match")]
    BadSignature,
    /// A claim is missing or has the wrong type.
    #[error("claim {claim:?} {problem}")]
    InvalidClaims {
        /// The claim's name.
        claim: &'static str,
        /// What is wrong with it.
        problem: ClaimProblem,
    },
    /// The token's `exp` (plus leeway) is in the past.
    #[error("token expired at {exp} (now {now}, leeway {leeway}s)")]
    Expired {
        /// The `exp` claim.
        exp: u64,
        /// The verification time.
        now: u64,
        /// The allowed clock skew.
        leeway: u64,
    },
    /// The token's `iat` is in the future (beyond the leeway).
    #[error("token issued at {iat}, in the future (now {now}, leeway {leeway}s)")]
    NotYetValid {
        /// The `iat` claim.
        iat: u64,
        /// The verification time.
        now: u64,
        /// The allowed clock skew.
        leeway: u64,
    },
}

impl MwtError {
    /// The stable name of this rejection.
    pub fn code(&self) -> MwtErrorCode {
        match self {
            Self::Oversize { .. } => MwtErrorCode::Oversize,
            Self::Malformed { .. } => MwtErrorCode::Malformed,
            Self::WrongVersion { .. } => MwtErrorCode::WrongVersion,
            Self::BadEncoding { .. } => MwtErrorCode::BadEncoding,
            Self::InvalidPayload { .. } => MwtErrorCode::InvalidPayload,
            Self::NonCanonical => MwtErrorCode::NonCanonical,
            Self::UnknownKid { .. } => MwtErrorCode::UnknownKid,
            Self::BadSignature => MwtErrorCode::BadSignature,
            Self::InvalidClaims { .. } => MwtErrorCode::InvalidClaims,
            Self::Expired { .. } => MwtErrorCode::Expired,
            Self::NotYetValid { .. } => MwtErrorCode::NotYetValid,
        }
    }
}

/// Why a keyring could not be built or changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyringError {
    /// Key ids must be non-empty.
    #[error("key id must not be empty")]
    EmptyKid,
    /// Secrets must be non-empty.
    #[error("secret for key {kid:?} is empty")]
    EmptySecret {
        /// The key id.
        kid: String,
    },
    /// The operation names a key the ring does not hold.
    #[error("no key with id {kid:?} in the keyring")]
    UnknownKid {
        /// The key id.
        kid: String,
    },
    /// The active signing key cannot be removed; activate another first.
    #[error("key {kid:?} is the active signing key; activate another key before removing it")]
    RemovingActiveKey {
        /// The key id.
        kid: String,
    },
}

/// Why claims could not be issued as a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// An application claim uses a name the format reserves.
    #[error("application claim {name:?} collides with a reserved claim")]
    ReservedClaim {
        /// The claim name.
        name: String,
    },
    /// `iat` or `exp` is beyond 2^53-1, which JavaScript cannot represent exactly.
    #[error("claim {claim:?} is {value}, beyond 2^53-1")]
    TimeOutOfRange {
        /// `iat` or `exp`.
        claim: &'static str,
        /// The value given.
        value: u64,
    },
    /// An application claim has no canonical form.
    #[error(transparent)]
    Canonical(#[from] crate::canonical::CanonicalError),
    /// The token would be longer than the keyring verifies
    /// ([`Keyring::max_token_len`](super::Keyring::max_token_len)): every call with it
    /// would be refused as `oversize`.
    #[error("the token would be {len} bytes, over the {max}-byte limit of its verifier")]
    Oversize {
        /// The length the token would have.
        len: usize,
        /// The keyring's limit.
        max: usize,
    },
}

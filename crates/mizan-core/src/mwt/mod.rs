//! MWT v1, the Mizan Web Token: a compact HMAC-signed token an edge worker can verify.
//!
//! ```text
//! mwt1.<base64url(JCS(claims))>.<base64url(HMAC-SHA256(key[kid], "mwt1.<payload>"))>
//! ```
//!
//! base64url is RFC 4648 §5 without padding, and must be canonical (unused trailing bits
//! zero). The claims are an RFC 8785 canonical JSON object with the required claims
//! `sub`, `pk`, `iat`, `exp`, `kid`, the conventional `perms` and any application claims
//! (see [`Claims`]). Unlike JWT there is no header and no algorithm choice: the version
//! prefix fixes everything, and the payload must be exactly its own canonical form, so a
//! claim set has exactly one token per key. `spec/PROTOCOL.md` §1.4 is the full
//! specification; [`Keyring::verify`] lists the checks and [`MwtErrorCode`] the rejections.

mod bearer;
mod claims;
mod error;
mod keyring;
mod payload;
mod verify;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub use bearer::bearer_token;
pub use claims::{Claims, MAX_SAFE_INTEGER, RESERVED_CLAIMS};
pub use error::{ClaimProblem, IssueError, KeyringError, MwtError, MwtErrorCode, TokenPart};
pub use keyring::Keyring;
pub use verify::check_times;

/// The version prefix, the text before a token's first `.`.
pub const MWT_PREFIX: &str = "mwt1";

/// The default longest token a [`Keyring`] verifies, in bytes.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 4096;

/// Unpadded base64url that rejects padding and non-zero trailing bits.
pub(crate) const B64: base64::engine::GeneralPurpose = URL_SAFE_NO_PAD;

/// Decodes a token's payload without verifying anything but its encoding: for inspection
/// and debugging only, never for authorization.
///
/// # Errors
///
/// [`MwtError::Malformed`], [`MwtError::WrongVersion`], [`MwtError::BadEncoding`] or
/// [`MwtError::InvalidPayload`] when the token cannot be taken apart.
pub fn decode_mwt_unverified(token: &str) -> Result<serde_json::Map<String, serde_json::Value>, MwtError> {
    use base64::Engine;
    let mut parts = token.split('.');
    let (Some(version), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(MwtError::Malformed {
            reason: "expected three '.'-separated parts",
        });
    };
    if version != MWT_PREFIX {
        return Err(MwtError::WrongVersion {
            found: version.chars().take(16).collect(),
        });
    }
    let payload = B64.decode(payload).map_err(|_| MwtError::BadEncoding {
        part: TokenPart::Payload,
    })?;
    match serde_json::from_slice(&payload) {
        Ok(serde_json::Value::Object(object)) => Ok(object),
        Ok(_) => Err(MwtError::InvalidPayload {
            reason: "JSON, but not an object".into(),
        }),
        Err(err) => Err(MwtError::InvalidPayload {
            reason: err.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests;

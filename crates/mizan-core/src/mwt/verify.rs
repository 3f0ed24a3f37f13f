//! Verifying an MWT: every check, in the order `spec/PROTOCOL.md` §1.4 specifies.

use base64::Engine;
use hmac::Mac;

use super::error::{MwtError, TokenPart};
use super::payload::{self, NotAnObject};
use super::{B64, Claims, Keyring, MWT_PREFIX};

impl Keyring {
    /// Verifies `token` at time `now` (Unix seconds), allowing `leeway` seconds of clock skew,
    /// and returns its claims.
    ///
    /// Checks, in this order, each failure its own [`MwtError`]: length (before any
    /// decoding), shape and version, base64url, payload JSON object, canonical form,
    /// known `kid`, signature (constant time), claim types, expiry, issue time.
    ///
    /// ```
    /// use mizan_core::{Claims, Keyring};
    ///
    /// let ring = Keyring::new("k1", b"a secret of reasonable length...")?;
    /// let token = ring.issue(Claims::new("ada", "pk", 1000, 2000).with_perms(["posts.read"]))?;
    /// let claims = ring.verify(&token, 1500, 30)?;
    /// assert_eq!((claims.sub.as_str(), claims.exp), ("ada", 2000));
    /// assert_eq!(ring.verify(&token, 2031, 30).unwrap_err().code().as_str(), "expired");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The first check that fails, as an [`MwtError`].
    pub fn verify(&self, token: &str, now: u64, leeway: u64) -> Result<Claims, MwtError> {
        if token.len() > self.max_token_len {
            return Err(MwtError::Oversize {
                len: token.len(),
                max: self.max_token_len,
            });
        }
        let Some((version, rest)) = token.split_once('.') else {
            return Err(MwtError::Malformed {
                reason: "no '.' separator",
            });
        };
        if version != MWT_PREFIX {
            return Err(MwtError::WrongVersion {
                found: version.chars().take(16).collect(),
            });
        }
        let three_parts = MwtError::Malformed {
            reason: "expected three '.'-separated parts",
        };
        // Split at the last '.', so the scan for a fourth part covers only the signature.
        // A '.' in the payload is not base64url, so its decoding fails: only then does the
        // payload need a look for one, which makes the error "three parts", as it comes
        // before any other.
        let Some((payload_b64, signature_b64)) = rest.rsplit_once('.') else {
            return Err(three_parts);
        };
        let extra_part = |error: MwtError| {
            if payload_b64.contains('.') {
                three_parts.clone()
            } else {
                error
            }
        };
        if payload_b64.is_empty() || signature_b64.is_empty() {
            return Err(extra_part(MwtError::Malformed { reason: "empty part" }));
        }
        // Typical payloads fit on the stack; only long ones pay for an allocation. The
        // payload is most of the token: a SIMD decoder reads it four times faster than
        // `base64`, and refuses the same texts (padding, non-canonical trailing bits).
        let mut stack = [0u8; 768];
        let heap;
        let bad_payload = || {
            extra_part(MwtError::BadEncoding {
                part: TokenPart::Payload,
            })
        };
        let decoder = base64_simd::URL_SAFE_NO_PAD;
        let len = decoder
            .decoded_length(payload_b64.as_bytes())
            .map_err(|_| bad_payload())?;
        let payload: &[u8] = if len <= stack.len() {
            decoder
                .decode(
                    payload_b64.as_bytes(),
                    base64_simd::Out::from_slice(&mut stack[..len]),
                )
                .map_err(|_| bad_payload())?
        } else {
            heap = decoder
                .decode_to_vec(payload_b64.as_bytes())
                .map_err(|_| bad_payload())?;
            &heap
        };
        let mut signature = [0u8; 32];
        match B64.decode_slice(signature_b64, &mut signature) {
            Ok(32) => {}
            Ok(_) | Err(base64::DecodeSliceError::OutputSliceTooSmall) => {
                return Err(MwtError::Malformed {
                    reason: "signature is not 32 bytes",
                });
            }
            Err(base64::DecodeSliceError::DecodeError(_)) => {
                return Err(MwtError::BadEncoding {
                    part: TokenPart::Signature,
                });
            }
        }

        let text = std::str::from_utf8(payload).map_err(|_| MwtError::InvalidPayload {
            reason: "not UTF-8".into(),
        })?;
        // One pass parses the payload and checks it is its own canonical form. Not
        // `serde_json::from_slice::<Value>`: that one gives a member named
        // "$serde_json::private::RawValue" a special meaning other languages lack.
        let payload = payload::parse(text).map_err(|NotAnObject(reason)| MwtError::InvalidPayload {
            reason: if reason.starts_with("invalid type") {
                "JSON, but not an object".into()
            } else {
                reason
            },
        })?;
        if !payload.canonical {
            return Err(MwtError::NonCanonical);
        }

        let kid = payload.claims.kid()?;
        let key = self
            .keys
            .get(kid)
            .ok_or_else(|| MwtError::UnknownKid { kid: kid.to_owned() })?;
        let mut mac = key.mac.clone();
        mac.update(&token.as_bytes()[..MWT_PREFIX.len() + 1 + payload_b64.len()]);
        mac.verify_slice(&signature).map_err(|_| MwtError::BadSignature)?;

        let claims = Claims::from_read(payload.claims)?;
        check_times(claims.iat, claims.exp, now, leeway)?;
        Ok(claims)
    }
}

/// The time rules of verification (`spec/PROTOCOL.md` §1.4) for a token issued at `iat`
/// and expiring at `exp`, at `now` (Unix seconds) with `leeway` seconds of clock skew:
/// not expired, not issued in the future. For what keeps verified claims and must stop
/// honouring them exactly when verification would.
///
/// # Errors
///
/// [`MwtError::Expired`] or [`MwtError::NotYetValid`].
pub fn check_times(iat: u64, exp: u64, now: u64, leeway: u64) -> Result<(), MwtError> {
    if now > exp.saturating_add(leeway) {
        return Err(MwtError::Expired { exp, now, leeway });
    }
    if iat > now.saturating_add(leeway) {
        return Err(MwtError::NotYetValid { iat, now, leeway });
    }
    Ok(())
}

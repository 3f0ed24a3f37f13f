/**
 * Every way an MWT can be refused, each declared once. The codes are language-neutral and
 * appear in `spec/vectors/mwt.json`; the Rust core uses the same table.
 */
export const MWT_ERROR_CODES = {
  /** The token is longer than the size limit (checked before anything is decoded). */
  oversize: "oversize",
  /** Not three dot-separated parts. */
  malformed: "malformed",
  /** The first part is not `mwt1`. */
  wrong_version: "wrong_version",
  /** The payload or signature is not canonical unpadded base64url. */
  bad_base64: "bad_base64",
  /** The payload is not UTF-8 JSON equal to its own RFC 8785 canonical form. */
  non_canonical: "non_canonical",
  /** The payload is not an object, or a required claim is missing or mistyped. */
  invalid_claims: "invalid_claims",
  /** `kid` names no key this verifier holds. */
  unknown_kid: "unknown_kid",
  /** The signature does not match. */
  bad_signature: "bad_signature",
  /** `now > exp + leeway`. */
  expired: "expired",
  /** `iat > now + leeway`. */
  not_yet_valid: "not_yet_valid",
} as const;

export type MwtErrorCode = keyof typeof MWT_ERROR_CODES;

/** A refused token. `code` says why; the message is for humans and logs. */
export class MwtError extends Error {
  override readonly name = "MwtError";

  constructor(
    readonly code: MwtErrorCode,
    message: string,
  ) {
    super(message);
  }
}

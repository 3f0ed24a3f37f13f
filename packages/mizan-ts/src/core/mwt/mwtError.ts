/**
 * Every way an MWT can be refused, each declared once, in the order `verifyMwt` checks
 * for them. The codes and their order are the Rust core's `MwtErrorCode` (`spec/PROTOCOL.md`
 * §1.4): the unit tests hold this table equal to `spec/vectors/codes.json`.
 */
export const MWT_ERROR_CODES = {
  /** Longer than the size limit in UTF-8 bytes; nothing was decoded. */
  oversize: "oversize",
  /** Not `mwt1.<payload>.<signature>` with non-empty parts and a 32-byte MAC. */
  malformed: "malformed",
  /** The text before the first `.` is not `mwt1`. */
  wrong_version: "wrong_version",
  /** A part is not canonical unpadded base64url. */
  bad_encoding: "bad_encoding",
  /** The payload is not UTF-8 JSON text of an object. */
  invalid_payload: "invalid_payload",
  /** The payload is not exactly the RFC 8785 form of itself. */
  non_canonical: "non_canonical",
  /** The `kid` claim names no key the verifier holds. */
  unknown_kid: "unknown_kid",
  /** The MAC does not match. */
  bad_signature: "bad_signature",
  /** A required claim is missing or has the wrong type. */
  invalid_claims: "invalid_claims",
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

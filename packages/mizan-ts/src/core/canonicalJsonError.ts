/**
 * Why a value or JSON text has no RFC 8785 canonical form.
 *
 * The first four codes are the Rust core's `CanonicalErrorCode` (the unit tests hold them
 * equal to `spec/vectors/codes.json`); the last two can only arise from in-memory values.
 */
export const CANONICAL_JSON_ERROR_CODES = {
  /** A string holds a UTF-16 surrogate that is not part of a pair: it has no UTF-8 form. */
  lone_surrogate: "lone_surrogate",
  /** A number is not a finite IEEE 754 double (`1e400`, `Infinity`, `NaN`). */
  number_out_of_range: "number_out_of_range",
  /** An object names the same member twice (I-JSON forbids it). */
  duplicate_key: "duplicate_key",
  /** The text is not JSON at all. */
  syntax: "syntax",
  /** `undefined`, a function, a symbol, a bigint or a non-plain object (Date, Map, class instance). */
  unsupported_type: "unsupported_type",
  /** An object or array contains itself. */
  cycle: "cycle",
} as const;

export type CanonicalJsonErrorCode = keyof typeof CANONICAL_JSON_ERROR_CODES;

export class CanonicalJsonError extends Error {
  override readonly name = "CanonicalJsonError";

  constructor(
    readonly code: CanonicalJsonErrorCode,
    message: string,
  ) {
    super(message);
  }
}

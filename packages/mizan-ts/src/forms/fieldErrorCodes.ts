/**
 * The field-error codes (`spec/PROTOCOL.md` §4.2), each with the JSON Schema keywords that
 * express its rule. The Rust core's `FieldErrorCode` is the same table; the unit tests hold
 * this one equal to `spec/vectors/codes.json`.
 */
export const FIELD_ERROR_CODES = {
  /** A required field is missing. */
  required: ["required"],
  /** The value has the wrong JSON type. */
  type: ["type"],
  /** The object has a field its type does not declare. */
  unknown_field: ["additionalProperties"],
  /** The value is not one of the allowed choices. */
  choice: ["enum", "const", "oneOf"],
  /** A string's length in code points, or a list's item count, is out of bounds. */
  length: ["minLength", "maxLength", "minItems", "maxItems"],
  /** A number is out of bounds, including the bounds of its integer type. */
  range: ["minimum", "maximum"],
  /** A string does not match the pattern. */
  pattern: ["pattern"],
  /** A string is not an email address (`format: "email"`). */
  email: ["format"],
  /** A string is not a URL (`format: "uri"`). */
  url: ["format"],
  /** Any other decoding failure. */
  invalid: [],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** A code the framework itself puts in a field error. */
export type FieldErrorCode = keyof typeof FIELD_ERROR_CODES;

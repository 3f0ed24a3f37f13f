/**
 * The framework's error codes and their HTTP statuses (`spec/PROTOCOL.md` §2.3), declared
 * once. The Rust core's `ErrorCode` is the same table; the unit tests hold this one equal to
 * its export in `spec/vectors/codes.json`, so a code added in Rust fails the TS suite until
 * it is added here.
 */
export const MIZAN_ERROR_CODES = {
  invalid_json: 400,
  bad_request: 400,
  too_deep: 400,
  unauthenticated: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  validation_failed: 422,
  limit_exceeded: 429,
  internal: 500,
  unavailable: 503,
} as const;

/** A code the server itself uses. */
export type MizanServerErrorCode = keyof typeof MIZAN_ERROR_CODES;

/**
 * Codes only the client produces, for failures that never reached a Mizan envelope: the
 * network failed, or the answer was not a Mizan envelope (a proxy's HTML error page).
 */
export const MIZAN_CLIENT_ERROR_CODES = {
  network_error: "network_error",
  invalid_response: "invalid_response",
} as const;

export type MizanClientErrorCode = keyof typeof MIZAN_CLIENT_ERROR_CODES;

/** Any error code: the framework's, the client's, or an application's own (`FunctionError::new`). */
export type MizanErrorCode = MizanServerErrorCode | MizanClientErrorCode | (string & {});

/** The status the server answers `code` with, when it is a framework code. */
export function statusOfCode(code: string): number | null {
  return Object.hasOwn(MIZAN_ERROR_CODES, code) ? MIZAN_ERROR_CODES[code as MizanServerErrorCode] : null;
}

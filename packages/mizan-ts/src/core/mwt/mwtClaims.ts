import { MwtError } from "./mwtError.js";

/** The claims of an MWT v1. Application claims may ride along under other names. */
export interface MwtClaims {
  /** The user id. */
  readonly sub: string;
  /** The user's permission key. */
  readonly pk: string;
  /** Issued at, in integer seconds since the Unix epoch. */
  readonly iat: number;
  /** Expires at, in integer seconds since the Unix epoch. */
  readonly exp: number;
  /** The id of the key that signed the token. */
  readonly kid: string;
  readonly [claim: string]: unknown;
}

const REQUIRED_STRINGS = ["sub", "pk", "kid"] as const;
const REQUIRED_TIMES = ["iat", "exp"] as const;

/**
 * Narrows a parsed payload to `MwtClaims`.
 *
 * @throws {MwtError} `invalid_claims` naming the first claim that is missing or mistyped.
 */
export function checkMwtClaims(payload: unknown): MwtClaims {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new MwtError("invalid_claims", "payload is not a JSON object");
  }
  const claims = payload as Record<string, unknown>;
  for (const name of REQUIRED_STRINGS) {
    if (typeof claims[name] !== "string") {
      throw new MwtError("invalid_claims", `claim "${name}" must be a string`);
    }
  }
  for (const name of REQUIRED_TIMES) {
    const time = claims[name];
    if (typeof time !== "number" || !Number.isSafeInteger(time) || time < 0) {
      throw new MwtError("invalid_claims", `claim "${name}" must be a non-negative integer`);
    }
  }
  return claims as MwtClaims;
}

import { MwtError } from "./mwtError.js";

/** The claims of an MWT v1. Application claims may ride along under other names. */
export interface MwtClaims {
  /** The user id. */
  readonly sub: string;
  /** The user's permission key (`derivePermissionKey` of `perms`). */
  readonly pk: string;
  /** Issued at, in integer seconds since the Unix epoch. */
  readonly iat: number;
  /** Expires at, in integer seconds since the Unix epoch. */
  readonly exp: number;
  /** The id of the key that signed the token. */
  readonly kid: string;
  /** The user's permission names, when the issuer includes them. */
  readonly perms?: readonly string[];
  readonly [claim: string]: unknown;
}

/** The claim names MWT v1 defines. */
export const MWT_RESERVED_CLAIMS = ["sub", "pk", "iat", "exp", "kid", "perms"] as const;

/**
 * Narrows a payload object to `MwtClaims`, checking claims in the Rust core's order.
 *
 * @throws {MwtError} `invalid_claims` naming the first claim that is missing or mistyped.
 */
export function checkMwtClaims(payload: Readonly<Record<string, unknown>>): MwtClaims {
  checkString(payload, "sub");
  checkString(payload, "pk");
  checkTime(payload, "iat");
  checkTime(payload, "exp");
  checkString(payload, "kid");
  const perms = payload["perms"];
  if (perms !== undefined && !(Array.isArray(perms) && perms.every((p) => typeof p === "string"))) {
    throw new MwtError("invalid_claims", 'claim "perms" must be an array of strings');
  }
  return payload as MwtClaims;
}

/** @throws {MwtError} `invalid_claims` unless `claims[name]` is a string. */
export function checkString(claims: Readonly<Record<string, unknown>>, name: string): void {
  if (!Object.hasOwn(claims, name)) throw new MwtError("invalid_claims", `claim "${name}" is missing`);
  if (typeof claims[name] !== "string") throw new MwtError("invalid_claims", `claim "${name}" must be a string`);
}

function checkTime(claims: Readonly<Record<string, unknown>>, name: string): void {
  if (!Object.hasOwn(claims, name)) throw new MwtError("invalid_claims", `claim "${name}" is missing`);
  const time = claims[name];
  if (typeof time !== "number" || !Number.isSafeInteger(time) || time < 0) {
    throw new MwtError("invalid_claims", `claim "${name}" must be an integer between 0 and 2^53-1`);
  }
}

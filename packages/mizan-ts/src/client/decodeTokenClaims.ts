import { decodeBase64url } from "../core/base64url.js";
import { isRecord } from "../core/isRecord.js";

/** The claims a client reads from its own token. */
export interface TokenClaims {
  readonly sub: string;
  readonly exp: number;
  readonly iat: number;
  readonly perms?: readonly string[];
  readonly [claim: string]: unknown;
}

const utf8 = new TextDecoder();

/**
 * The claims of an MWT, decoded **without verifying** it: a client holds no key and only
 * needs `exp` to refresh in time and `sub` to show who is signed in. The server and the
 * edge verify (`verifyMwt`). `null` for anything that is not an `mwt1` token with a JSON
 * object payload carrying a string `sub` and integer `exp` and `iat`.
 */
export function decodeTokenClaims(token: string): TokenClaims | null {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== "mwt1") return null;
  const bytes = decodeBase64url(parts[1] ?? "");
  if (bytes === null) return null;
  let claims: unknown;
  try {
    claims = JSON.parse(utf8.decode(bytes));
  } catch {
    return null;
  }
  if (
    !isRecord(claims) ||
    typeof claims["sub"] !== "string" ||
    !Number.isSafeInteger(claims["exp"]) ||
    !Number.isSafeInteger(claims["iat"])
  ) {
    return null;
  }
  return claims as TokenClaims;
}

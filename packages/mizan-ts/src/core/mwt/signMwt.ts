import { encodeBase64url } from "../base64url.js";
import { canonicalize } from "../canonical.js";
import { hmacSha256 } from "../hmacSha256.js";
import type { HmacSecret } from "../importSecret.js";
import { checkMwtClaims, type MwtClaims } from "./mwtClaims.js";

const utf8 = new TextEncoder();

/**
 * Signs `claims` as an MWT v1 with the key named by `claims.kid`:
 * `mwt1.` + base64url(JCS(claims)) + `.` + base64url(HMAC-SHA256(secret, "mwt1.<payload>")).
 *
 * Tokens are issued by the server; this exists for tests, tools and trusted workers.
 *
 * @throws {MwtError} `invalid_claims` if a required claim is missing or mistyped.
 * @throws {CanonicalJsonError} if an application claim has no canonical JSON form.
 */
export async function signMwt(claims: MwtClaims, secret: HmacSecret): Promise<string> {
  const payload = encodeBase64url(utf8.encode(canonicalize(checkMwtClaims(claims))));
  const signingInput = `mwt1.${payload}`;
  return `${signingInput}.${encodeBase64url(await hmacSha256(secret, signingInput))}`;
}

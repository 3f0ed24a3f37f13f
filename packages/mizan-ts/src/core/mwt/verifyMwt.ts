import { decodeBase64url } from "../base64url.js";
import { canonicalize } from "../canonical.js";
import { hmacKey } from "../importSecret.js";
import { checkMwtClaims, type MwtClaims } from "./mwtClaims.js";
import { MwtError } from "./mwtError.js";
import { findMwtKey, type MwtKeys } from "./mwtKeys.js";

export interface VerifyMwtOptions {
  /** The trusted keys, by key id. */
  readonly keys: MwtKeys;
  /** The current time in seconds since the Unix epoch; defaults to the clock. */
  readonly now?: number;
  /** Allowed clock skew in seconds; defaults to 60. */
  readonly leeway?: number;
  /** The largest accepted token in bytes; defaults to 4096. */
  readonly maxBytes?: number;
}

export const MWT_DEFAULT_LEEWAY_SECONDS = 60;
export const MWT_DEFAULT_MAX_BYTES = 4096;

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Verifies an MWT v1 and returns its claims. Checks run in this order, and the first
 * failure is thrown: size, shape (three parts), version, payload encoding, canonical
 * JSON, claim types, key id, signature (constant time, by `crypto.subtle.verify`), then
 * expiry (`now > exp + leeway`) and issue time (`iat > now + leeway`).
 *
 * ```ts
 * const key = await importSecret(secretBytes);
 * const claims = await verifyMwt(token, { keys: { k1: key } });
 * ```
 *
 * @throws {MwtError} with one of `MWT_ERROR_CODES`.
 */
export async function verifyMwt(token: string, options: VerifyMwtOptions): Promise<MwtClaims> {
  const maxBytes = options.maxBytes ?? MWT_DEFAULT_MAX_BYTES;
  // UTF-8 never takes fewer bytes than UTF-16 code units, so the cheap check comes first.
  if (token.length > maxBytes || utf8.encode(token).length > maxBytes) {
    throw new MwtError("oversize", `token is larger than ${maxBytes} bytes`);
  }
  const parts = token.split(".");
  if (parts.length !== 3) throw new MwtError("malformed", "token must have three dot-separated parts");
  const [version, payload, signature] = parts as [string, string, string];
  if (version !== "mwt1") throw new MwtError("wrong_version", "token version is not mwt1");

  const payloadBytes = decodeBase64url(payload);
  if (payloadBytes === null) throw new MwtError("bad_base64", "payload is not canonical unpadded base64url");
  const claims = checkMwtClaims(parseCanonicalPayload(payloadBytes));

  const secret = findMwtKey(options.keys, claims.kid);
  if (secret === undefined) throw new MwtError("unknown_kid", `no key with id ${JSON.stringify(claims.kid)}`);
  const signatureBytes = decodeBase64url(signature);
  if (signatureBytes === null) throw new MwtError("bad_base64", "signature is not canonical unpadded base64url");
  const signed = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret),
    signatureBytes,
    utf8.encode(`${version}.${payload}`),
  );
  if (!signed) throw new MwtError("bad_signature", "signature does not match");

  const now = options.now ?? Math.floor(Date.now() / 1000);
  const leeway = options.leeway ?? MWT_DEFAULT_LEEWAY_SECONDS;
  if (now > claims.exp + leeway) throw new MwtError("expired", "token has expired");
  if (claims.iat > now + leeway) throw new MwtError("not_yet_valid", "token is not valid yet");
  return claims;
}

function parseCanonicalPayload(bytes: Uint8Array): unknown {
  let text: string;
  let value: unknown;
  try {
    text = strictUtf8.decode(bytes);
    value = JSON.parse(text);
  } catch {
    throw new MwtError("non_canonical", "payload is not UTF-8 JSON");
  }
  let canonical: string;
  try {
    canonical = canonicalize(value);
  } catch {
    throw new MwtError("non_canonical", "payload has no canonical JSON form");
  }
  // Duplicate members, whitespace, reordered keys and non-minimal numbers all differ here.
  if (canonical !== text) throw new MwtError("non_canonical", "payload is not in RFC 8785 canonical form");
  return value;
}

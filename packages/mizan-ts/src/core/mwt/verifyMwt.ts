import { decodeBase64url } from "../base64url.js";
import { canonicalize } from "../canonical.js";
import { CanonicalJsonError } from "../canonicalJsonError.js";
import { parseJsonStrict } from "../parseJsonStrict.js";
import { hmacKey } from "../importSecret.js";
import { checkMwtClaims, checkString, type MwtClaims } from "./mwtClaims.js";
import { MwtError } from "./mwtError.js";
import { findMwtKey, type MwtKeys } from "./mwtKeys.js";

export interface VerifyMwtOptions {
  /** The trusted keys, by key id. */
  readonly keys: MwtKeys;
  /** The current time in seconds since the Unix epoch; defaults to the clock. */
  readonly now?: number;
  /** Allowed clock skew in seconds; defaults to `MWT_DEFAULT_LEEWAY_SECONDS`. */
  readonly leeway?: number;
  /** The longest accepted token in UTF-8 bytes; defaults to `MWT_DEFAULT_MAX_BYTES`. */
  readonly maxBytes?: number;
}

export const MWT_DEFAULT_LEEWAY_SECONDS = 60;
export const MWT_DEFAULT_MAX_BYTES = 4096;

const MWT_PREFIX = "mwt1";
const SIGNATURE_BYTES = 32;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Verifies an MWT v1 and returns its claims. The checks run in the order
 * `spec/PROTOCOL.md` fixes, and the first failure is thrown: size (before decoding),
 * shape and version, base64url, payload JSON object, canonical form, known `kid`,
 * signature (constant time, by `crypto.subtle.verify`), claim types, then expiry
 * (`now > exp + leeway`) and issue time (`iat > now + leeway`).
 *
 * ```ts
 * const key = await importSecret(secretBytes); // once, at startup
 * const claims = await verifyMwt(token, { keys: { k1: key } });
 * ```
 *
 * @throws {MwtError} with one of `MWT_ERROR_CODES`.
 * @throws {TypeError} if `now`, `leeway` or `maxBytes` is not a non-negative integer.
 */
export async function verifyMwt(token: string, options: VerifyMwtOptions): Promise<MwtClaims> {
  const maxBytes = nonNegativeInteger("maxBytes", options.maxBytes ?? MWT_DEFAULT_MAX_BYTES);
  // Validated up front: a NaN here would make every time comparison false, and pass.
  const now = nonNegativeInteger("now", options.now ?? Math.floor(Date.now() / 1000));
  const leeway = nonNegativeInteger("leeway", options.leeway ?? MWT_DEFAULT_LEEWAY_SECONDS);
  // UTF-8 never takes fewer bytes than UTF-16 code units, so the cheap check comes first.
  if (token.length > maxBytes || utf8.encode(token).length > maxBytes) {
    throw new MwtError("oversize", `token is larger than ${maxBytes} bytes`);
  }
  const firstDot = token.indexOf(".");
  if (firstDot < 0) throw new MwtError("malformed", "no '.' separator");
  if (token.slice(0, firstDot) !== MWT_PREFIX) throw new MwtError("wrong_version", "token version is not mwt1");
  const rest = token.slice(firstDot + 1).split(".");
  if (rest.length !== 2) throw new MwtError("malformed", "expected three '.'-separated parts");
  const [payload, signature] = rest as [string, string];
  if (payload === "" || signature === "") throw new MwtError("malformed", "empty part");

  const payloadBytes = decodeBase64url(payload);
  if (payloadBytes === null) throw new MwtError("bad_encoding", "the payload is not canonical unpadded base64url");
  const signatureBytes = decodeSignature(signature);
  const object = parseCanonicalPayload(payloadBytes);

  checkString(object, "kid");
  const kid = object["kid"] as string;
  const secret = findMwtKey(options.keys, kid);
  if (secret === undefined) throw new MwtError("unknown_kid", `no key with id ${JSON.stringify(kid)}`);
  const signingInput = utf8.encode(`${MWT_PREFIX}.${payload}`);
  if (!(await crypto.subtle.verify("HMAC", await hmacKey(secret), signatureBytes, signingInput))) {
    throw new MwtError("bad_signature", "signature does not match");
  }

  const claims = checkMwtClaims(object);
  if (now > claims.exp + leeway) throw new MwtError("expired", `token expired at ${claims.exp} (now ${now})`);
  if (claims.iat > now + leeway) throw new MwtError("not_yet_valid", `token issued at ${claims.iat}, in the future (now ${now})`);
  return claims;
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

function decodeSignature(signature: string): Uint8Array<ArrayBuffer> {
  const bytes = decodeBase64url(signature);
  if (bytes === null) throw new MwtError("bad_encoding", "the signature is not canonical unpadded base64url");
  if (bytes.length !== SIGNATURE_BYTES) throw new MwtError("malformed", "signature is not 32 bytes");
  return bytes;
}

function parseCanonicalPayload(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new MwtError("invalid_payload", "the payload is not UTF-8");
  }
  let value: unknown;
  let canonical: string;
  try {
    value = parseJsonStrict(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new MwtError("invalid_payload", "the payload is JSON, but not an object");
    }
    canonical = canonicalize(value);
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    // A duplicate member is valid JSON whose canonical form drops one of the pair; the
    // other failures (syntax, depth, lone surrogates, huge numbers) make it no JSON at all.
    if (error.code === "duplicate_key") throw new MwtError("non_canonical", "the payload repeats a member");
    throw new MwtError("invalid_payload", `the payload is not JSON text: ${error.message}`);
  }
  // Whitespace, member order, number spelling and escapes all show here.
  if (canonical !== text) throw new MwtError("non_canonical", "the payload is not in RFC 8785 canonical form");
  return value as Record<string, unknown>;
}

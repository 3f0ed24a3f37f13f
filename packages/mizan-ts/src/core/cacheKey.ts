import { canonicalize } from "./canonical.js";
import { toHex } from "./hex.js";
import { hmacSha256 } from "./hmacSha256.js";
import type { HmacSecret } from "./importSecret.js";

/** Who may share a cache entry: everyone, holders of one permission set, or one user. */
export type CacheScope = "public" | "permission" | "user";

interface CommonParts {
  /** The server secret (import it once with `importSecret`). */
  readonly secret: HmacSecret;
  /** The function name, e.g. `posts.get`. */
  readonly fn: string;
  /** The call input, a JSON value. */
  readonly input: unknown;
  /** The revision of the function's cache tag: a non-negative integer. */
  readonly rev: number;
}

/**
 * What a cache key is derived from. `who` is the permission key for `permission`, the
 * user id for `user`, and always `""` for `public` (as in the Rust core, a `who` passed
 * with `public` is ignored).
 */
export type CacheKeyParts =
  | (CommonParts & { readonly scope: "public"; readonly who?: string })
  | (CommonParts & { readonly scope: "permission" | "user"; readonly who: string });

/**
 * The cache key of one call: lowercase hex of
 * `HMAC-SHA256(secret, JCS({"v":1,"fn","input","scope","who","rev"}))`.
 *
 * @throws {TypeError} for an unknown scope, a missing `who`, or a `rev` that is not a
 *   non-negative safe integer.
 * @throws {CanonicalJsonError} if `input` has no canonical JSON form.
 */
export async function deriveCacheKey(parts: CacheKeyParts): Promise<string> {
  const { secret, fn, input, scope, rev } = parts;
  if (scope !== "public" && scope !== "permission" && scope !== "user") {
    throw new TypeError(`unknown cache scope ${JSON.stringify(scope)}`);
  }
  const who = scope === "public" ? "" : parts.who;
  if (typeof who !== "string") throw new TypeError(`cache scope ${scope} needs a "who" string`);
  if (!Number.isSafeInteger(rev) || rev < 0) {
    throw new TypeError(`rev must be a non-negative integer, got ${String(rev)}`);
  }
  const message = canonicalize({ v: 1, fn, input, scope, who, rev });
  return toHex(await hmacSha256(secret, message));
}

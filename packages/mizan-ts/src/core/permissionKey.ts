import { canonicalize } from "./canonical.js";
import { compareUtf8 } from "./compareUtf8.js";
import { toHex } from "./hex.js";
import { hmacSha256 } from "./hmacSha256.js";
import type { HmacSecret } from "./importSecret.js";

/**
 * The permission key of a permission set: lowercase hex of the first 16 bytes of
 * `HMAC-SHA256(secret, JCS({"v":1,"perms":P}))`, where `P` is the set deduplicated and
 * sorted by UTF-8 bytes. Users holding the same permissions get the same key, so they
 * share `permission`-scoped cache entries, and nobody else does.
 *
 * @throws {CanonicalJsonError} if a permission contains a lone surrogate.
 */
export async function derivePermissionKey(secret: HmacSecret, perms: Iterable<string>): Promise<string> {
  const sorted = [...new Set(perms)].sort(compareUtf8);
  const digest = await hmacSha256(secret, canonicalize({ v: 1, perms: sorted }));
  return toHex(digest.subarray(0, 16));
}

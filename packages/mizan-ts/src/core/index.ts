export { decodeBase64url, encodeBase64url } from "./base64url.js";
export { deriveCacheKey, type CacheKeyParts, type CacheScope } from "./cacheKey.js";
export { canonicalize } from "./canonical.js";
export {
  CANONICAL_JSON_ERROR_CODES,
  CanonicalJsonError,
  type CanonicalJsonErrorCode,
} from "./canonicalJsonError.js";
export { compareUtf8 } from "./compareUtf8.js";
export { fromHex, toHex } from "./hex.js";
export { hmacSha256 } from "./hmacSha256.js";
export { importSecret, type HmacSecret } from "./importSecret.js";
export { MWT_RESERVED_CLAIMS, type MwtClaims } from "./mwt/mwtClaims.js";
export { MWT_ERROR_CODES, MwtError, type MwtErrorCode } from "./mwt/mwtError.js";
export { type MwtKeys } from "./mwt/mwtKeys.js";
export { signMwt } from "./mwt/signMwt.js";
export {
  MWT_DEFAULT_LEEWAY_SECONDS,
  MWT_DEFAULT_MAX_BYTES,
  verifyMwt,
  type VerifyMwtOptions,
} from "./mwt/verifyMwt.js";
export { MAX_JSON_DEPTH, parseJsonStrict } from "./parseJsonStrict.js";
export { derivePermissionKey } from "./permissionKey.js";
export {
  DEFAULT_CSRF_HEADER,
  DEFAULT_TOKEN_COOKIE,
  REFRESH_FUNCTION,
  REVISIONS_CHANNEL,
  TOKEN_FUNCTION,
} from "./wireNames.js";

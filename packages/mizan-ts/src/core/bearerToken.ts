/**
 * The token of an `Authorization: Bearer <token>` header value, or `null` when the value is
 * not of that form (refused as `unauthenticated`, reason `malformed`). RFC 7235's
 * `auth-scheme 1*SP token68`: the scheme is case-insensitive, spaces separate it from a
 * one-word token, and surrounding spaces and tabs are not part of the value. The origin reads
 * the header by the same rules (`mizan_core::bearer_token`); `spec/vectors/auth_headers.json`
 * pins both.
 */
export function bearerToken(authorization: string): string | null {
  const match = /^Bearer +([^ \t]+)$/i.exec(authorization.replace(/^[ \t]+|[ \t]+$/g, ""));
  return match?.[1] ?? null;
}

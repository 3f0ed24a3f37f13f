// atob/btoa are Web-standard (browsers, workerd, Node >= 16); Uint8Array.fromBase64 is
// not yet available everywhere the package runs.

/** Base64url (RFC 4648 §5) of `bytes`, without padding. */
export function encodeBase64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The bytes of an unpadded base64url string, or `null` unless the text is the one
 * canonical encoding of those bytes: only the url-safe alphabet, no padding, no
 * whitespace, and zero bits in the unused part of the last character.
 */
export function decodeBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // atob ignores non-zero trailing bits; re-encoding exposes them.
  return encodeBase64url(bytes) === text ? bytes : null;
}

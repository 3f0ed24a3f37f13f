/** An HMAC-SHA256 secret: raw bytes, or a key already imported with `importSecret`. */
export type HmacSecret = CryptoKey | Uint8Array;

/**
 * Imports raw secret bytes as a non-extractable HMAC-SHA256 `CryptoKey` for signing and
 * verifying. Import once and pass the key around: every derivation then skips the import.
 */
export function importSecret(bytes: Uint8Array): Promise<CryptoKey> {
  // A copy: Web Crypto takes no views of shared memory, and later writes to `bytes`
  // must not matter.
  return crypto.subtle.importKey("raw", new Uint8Array(bytes), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

/** The `CryptoKey` for `secret`, importing it if it is raw bytes. */
export async function hmacKey(secret: HmacSecret): Promise<CryptoKey> {
  return secret instanceof Uint8Array ? importSecret(secret) : secret;
}

import { hmacKey, type HmacSecret } from "./importSecret.js";

const utf8 = new TextEncoder();

/** HMAC-SHA256 of the UTF-8 bytes of `message` (or of raw bytes). */
export async function hmacSha256(secret: HmacSecret, message: string | Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const data = typeof message === "string" ? utf8.encode(message) : message;
  return new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), data));
}

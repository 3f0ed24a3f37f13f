import type { HmacSecret } from "../importSecret.js";

/** The keys a verifier trusts, by key id. Pass imported `CryptoKey`s to skip re-importing. */
export type MwtKeys = ReadonlyMap<string, HmacSecret> | Readonly<Record<string, HmacSecret>>;

/** The key named `kid`, if held. Own properties only: `kid: "constructor"` finds nothing. */
export function findMwtKey(keys: MwtKeys, kid: string): HmacSecret | undefined {
  if (keys instanceof Map) return keys.get(kid);
  const record = keys as Readonly<Record<string, HmacSecret>>;
  return Object.hasOwn(record, kid) ? record[kid] : undefined;
}

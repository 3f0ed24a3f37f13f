import type { HmacSecret } from "../importSecret.js";

/** The keys a verifier trusts, by key id. Pass imported `CryptoKey`s to skip re-importing. */
export type MwtKeys = ReadonlyMap<string, HmacSecret> | Readonly<Record<string, HmacSecret>>;

/** The key named `kid`, if held. Own properties only: `kid: "constructor"` finds nothing. */
export function findMwtKey(keys: MwtKeys, kid: string): HmacSecret | undefined {
  // `instanceof` narrows to Map<any, any>; the key types are those of MwtKeys.
  if (keys instanceof Map) return (keys as ReadonlyMap<string, HmacSecret>).get(kid);
  const record = keys as Readonly<Record<string, HmacSecret>>;
  return Object.hasOwn(record, kid) ? record[kid] : undefined;
}

import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deriveCacheKey } from "./cacheKey.js";
import { CanonicalJsonError } from "./canonicalJsonError.js";
import { importSecret } from "./importSecret.js";

const secret = new TextEncoder().encode("server secret");
// node:crypto over a hand-written canonical envelope: an independent reference.
const reference = (envelope: string) => createHmac("sha256", Buffer.from(secret)).update(envelope, "utf8").digest("hex");

describe("deriveCacheKey", () => {
  it("is the HMAC of the canonical envelope, in lowercase hex", async () => {
    const key = await deriveCacheKey({ secret, fn: "posts.get", input: { x: null, id: 1 }, scope: "user", who: "u7", rev: 3 });
    expect(key).toBe(reference('{"fn":"posts.get","input":{"id":1,"x":null},"rev":3,"scope":"user","v":1,"who":"u7"}'));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it("gives one key to equal inputs written differently", async () => {
    const a = await deriveCacheKey({ secret, fn: "f", input: JSON.parse('{"id":1.0,"b":[1e2]}'), scope: "public", rev: 0 });
    const b = await deriveCacheKey({ secret, fn: "f", input: JSON.parse('{"b":[100],"id":1}'), scope: "public", rev: 0 });
    expect(a).toBe(b);
  });

  it("accepts an imported key and gives the same digest", async () => {
    const parts = { fn: "f", input: [1, "é"], scope: "permission", who: "ab12", rev: 9 } as const;
    expect(await deriveCacheKey({ ...parts, secret: await importSecret(secret) })).toBe(
      await deriveCacheKey({ ...parts, secret }),
    );
  });

  it("writes who as empty for public scope, whatever is passed", async () => {
    const base = { secret, fn: "f", input: null, scope: "public", rev: 1 } as const;
    const key = await deriveCacheKey(base);
    expect(key).toBe(reference('{"fn":"f","input":null,"rev":1,"scope":"public","v":1,"who":""}'));
    expect(await deriveCacheKey({ ...base, who: "someone" })).toBe(key);
  });

  it("changes with every part of the envelope", async () => {
    const base = { secret, fn: "f", input: { a: 1 }, scope: "user", who: "u1", rev: 1 } as const;
    const keys = await Promise.all([
      deriveCacheKey(base),
      deriveCacheKey({ ...base, secret: new TextEncoder().encode("other") }),
      deriveCacheKey({ ...base, fn: "g" }),
      deriveCacheKey({ ...base, input: { a: 2 } }),
      deriveCacheKey({ ...base, scope: "permission" }),
      deriveCacheKey({ ...base, who: "u2" }),
      deriveCacheKey({ ...base, rev: 2 }),
    ]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("rejects a bad rev, an unknown scope and inputs without a canonical form", async () => {
    const base = { secret, fn: "f", input: 1, scope: "public" } as const;
    await expect(deriveCacheKey({ ...base, rev: -1 })).rejects.toThrow(TypeError);
    await expect(deriveCacheKey({ ...base, rev: 1.5 })).rejects.toThrow(TypeError);
    await expect(deriveCacheKey({ ...base, rev: 2 ** 53 })).rejects.toThrow(TypeError);
    const unknownScope = { ...base, rev: 0, scope: "world" } as unknown as Parameters<typeof deriveCacheKey>[0];
    await expect(deriveCacheKey(unknownScope)).rejects.toThrow(/unknown cache scope/);
    await expect(deriveCacheKey({ ...base, rev: 0, input: { x: Number.NaN } })).rejects.toThrow(CanonicalJsonError);
  });
});

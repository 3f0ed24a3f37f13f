import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { importSecret } from "./importSecret.js";
import { derivePermissionKey } from "./permissionKey.js";

const secret = new TextEncoder().encode("server secret");
const reference = (envelope: string) =>
  createHmac("sha256", Buffer.from(secret)).update(envelope, "utf8").digest("hex").slice(0, 32);

describe("derivePermissionKey", () => {
  it("is the first 16 bytes of the HMAC of the sorted, deduplicated set", async () => {
    const key = await derivePermissionKey(secret, ["posts.write", "posts.read", "posts.write"]);
    expect(key).toBe(reference('{"perms":["posts.read","posts.write"],"v":1}'));
    expect(key).toMatch(/^[0-9a-f]{32}$/);
  });

  it("ignores order and duplicates", async () => {
    const a = await derivePermissionKey(secret, ["b", "a", "c"]);
    expect(await derivePermissionKey(secret, new Set(["c", "b", "a", "a"]))).toBe(a);
  });

  it("sorts by UTF-8 bytes, not UTF-16 code units", async () => {
    const key = await derivePermissionKey(await importSecret(secret), ["\ud83d\ude00", "\uff61"]);
    expect(key).toBe(reference('{"perms":["\uff61","\ud83d\ude00"],"v":1}'));
    expect(key).not.toBe(reference('{"perms":["\ud83d\ude00","\uff61"],"v":1}'));
  });

  it("keys the empty set", async () => {
    expect(await derivePermissionKey(secret, [])).toBe(reference('{"perms":[],"v":1}'));
  });
});

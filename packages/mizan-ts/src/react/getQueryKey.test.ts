import { describe, expect, it } from "vitest";
import { functionOfQueryKey, getFunctionKey, getQueryKey } from "./getQueryKey.js";

describe("getQueryKey", () => {
  it('is ["mizan", fnName, canonicalInput]', () => {
    expect(getQueryKey("posts.get", { id: 1, filter: { tag: "rust", page: 2 } })).toEqual([
      "mizan",
      "posts.get",
      '{"filter":{"page":2,"tag":"rust"},"id":1}',
    ]);
  });

  it("is the same for the same JSON value whatever the member order, and null without input", () => {
    expect(getQueryKey("f", { b: 1, a: [1.0, "é"] })).toEqual(getQueryKey("f", { a: [1, "é"], b: 1 }));
    expect(getQueryKey("f", undefined)).toEqual(["mizan", "f", "null"]);
    expect(getQueryKey("f", null)).toEqual(["mizan", "f", "null"]);
    expect(getQueryKey("f", { a: 1 })).not.toEqual(getQueryKey("f", { a: "1" }));
  });

  it("has a per-function prefix for invalidation", () => {
    const key = getQueryKey("greet", { name: "Ada" });
    const prefix = getFunctionKey("greet");
    expect(key.slice(0, prefix.length)).toEqual(prefix);
    expect(functionOfQueryKey(key)).toBe("greet");
    expect(functionOfQueryKey(["todos", 1])).toBeUndefined();
  });
});

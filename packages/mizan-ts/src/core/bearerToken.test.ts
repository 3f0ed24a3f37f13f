import { describe, expect, it } from "vitest";
import { bearerToken } from "./bearerToken.js";

describe("bearerToken", () => {
  it("matches the scheme in any case and refuses anything but one token", () => {
    expect(bearerToken("BEARER  abc ")).toBe("abc");
    expect(bearerToken("Bearer\tabc")).toBeNull();
    expect(bearerToken("Bearer a b")).toBeNull();
    expect(bearerToken("abc")).toBeNull();
  });
});

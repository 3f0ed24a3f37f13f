import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "./hex.js";

describe("hex", () => {
  it("round-trips every byte value in lowercase", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const hex = toHex(all);
    expect(hex).toMatch(/^[0-9a-f]{512}$/);
    expect(hex.slice(0, 8)).toBe("00010203");
    expect(fromHex(hex)).toEqual(all);
    expect(fromHex("ABcd")).toEqual(Uint8Array.of(0xab, 0xcd));
  });

  it("rejects odd lengths and non-hex characters", () => {
    expect(() => fromHex("abc")).toThrow(TypeError);
    expect(() => fromHex("zz")).toThrow(TypeError);
    expect(() => fromHex("0x00")).toThrow(TypeError);
  });
});

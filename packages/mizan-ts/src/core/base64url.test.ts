import { describe, expect, it } from "vitest";
import { decodeBase64url, encodeBase64url } from "./base64url.js";

const bytes = (...values: number[]) => Uint8Array.from(values);

describe("base64url", () => {
  it("encodes the RFC 4648 test vectors without padding", () => {
    const utf8 = new TextEncoder();
    const cases: [string, string][] = [
      ["", ""],
      ["f", "Zg"],
      ["fo", "Zm8"],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg"],
      ["fooba", "Zm9vYmE"],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, encoded] of cases) {
      expect(encodeBase64url(utf8.encode(plain))).toBe(encoded);
      expect(decodeBase64url(encoded)).toEqual(utf8.encode(plain));
    }
  });

  it("uses the url-safe alphabet", () => {
    expect(encodeBase64url(bytes(0xfb, 0xff, 0xbf))).toBe("-_-_");
    expect(decodeBase64url("-_-_")).toEqual(bytes(0xfb, 0xff, 0xbf));
  });

  it.each([
    ["padding", "Zg=="],
    ["standard alphabet", "+/+/"],
    ["whitespace", "Zm9v Yg"],
    ["impossible length", "Zm9vY"],
    ["non-zero trailing bits", "Zh"],
    ["non-zero trailing bits in a two-byte tail", "Zm9"],
  ])("rejects %s", (_, text) => {
    expect(decodeBase64url(text)).toBeNull();
  });
});

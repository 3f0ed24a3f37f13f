import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encodeBase64url } from "../base64url.js";
import { importSecret } from "../importSecret.js";
import type { MwtClaims } from "./mwtClaims.js";
import { MwtError, type MwtErrorCode } from "./mwtError.js";
import { signMwt } from "./signMwt.js";
import { verifyMwt } from "./verifyMwt.js";

const utf8 = new TextEncoder();
const secret = utf8.encode("k1 secret");
const keys = { k1: secret };
const claims: MwtClaims = { sub: "u7", pk: "00112233445566778899aabbccddeeff", iat: 1000, exp: 2000, kid: "k1" };
const at = { keys, now: 1500, leeway: 0 };

// Builds a token by hand (node:crypto), so malformed payloads can be signed correctly.
function forge(payloadText: string, key: Uint8Array = secret, version = "mwt1"): string {
  const payload = Buffer.from(payloadText, "utf8").toString("base64url");
  const signature = createHmac("sha256", Buffer.from(key)).update(`${version}.${payload}`).digest("base64url");
  return `${version}.${payload}.${signature}`;
}

async function codeOf(token: string, options: Parameters<typeof verifyMwt>[1] = at): Promise<MwtErrorCode | "valid"> {
  try {
    await verifyMwt(token, options);
    return "valid";
  } catch (error) {
    if (error instanceof MwtError) return error.code;
    throw error;
  }
}

describe("signMwt / verifyMwt", () => {
  it("signs the canonical payload exactly as specified", async () => {
    const token = await signMwt(claims, secret);
    expect(token).toBe(forge('{"exp":2000,"iat":1000,"kid":"k1","pk":"00112233445566778899aabbccddeeff","sub":"u7"}'));
    expect(await verifyMwt(token, at)).toEqual(claims);
  });

  it("accepts a perms claim", async () => {
    expect(await verifyMwt(forge('{"exp":2000,"iat":1000,"kid":"k1","perms":["a","b"],"pk":"p","sub":"u"}'), at)).toMatchObject({
      perms: ["a", "b"],
    });
  });

  it("round-trips application claims and accepts imported keys and key maps", async () => {
    const withApp = { ...claims, role: ["editor"], é: { n: 1 } };
    const token = await signMwt(withApp, await importSecret(secret));
    expect(await verifyMwt(token, { ...at, keys: new Map([["k1", await importSecret(secret)]]) })).toEqual(withApp);
  });

  it("selects the key by kid", async () => {
    const k2 = utf8.encode("k2 secret");
    const token = await signMwt({ ...claims, kid: "k2" }, k2);
    expect(await codeOf(token, { ...at, keys: { k1: secret, k2 } })).toBe("valid");
    expect(await codeOf(token, { ...at, keys: { k1: secret, k2: secret } })).toBe("bad_signature");
    expect(await codeOf(token, at)).toBe("unknown_kid");
  });

  it("knows no kid from the prototype chain", async () => {
    expect(await codeOf(forge('{"exp":2000,"iat":1000,"kid":"constructor","pk":"p","sub":"u"}'))).toBe("unknown_kid");
    expect(await codeOf(forge('{"exp":2000,"iat":1000,"kid":"__proto__","pk":"p","sub":"u"}'))).toBe("unknown_kid");
  });

  it("applies the leeway at both ends of the validity window", async () => {
    const token = await signMwt(claims, secret);
    expect(await codeOf(token, { keys, now: 2000, leeway: 0 })).toBe("valid");
    expect(await codeOf(token, { keys, now: 2001, leeway: 0 })).toBe("expired");
    expect(await codeOf(token, { keys, now: 2030, leeway: 30 })).toBe("valid");
    expect(await codeOf(token, { keys, now: 2031, leeway: 30 })).toBe("expired");
    expect(await codeOf(token, { keys, now: 1000, leeway: 0 })).toBe("valid");
    expect(await codeOf(token, { keys, now: 999, leeway: 0 })).toBe("not_yet_valid");
    expect(await codeOf(token, { keys, now: 970, leeway: 30 })).toBe("valid");
  });

  it("refuses clock and limit options that are not non-negative integers", async () => {
    const token = await signMwt(claims, secret);
    await expect(verifyMwt(token, { keys, now: Number.NaN })).rejects.toThrow(TypeError);
    await expect(verifyMwt(token, { keys, now: 1500, leeway: -1 })).rejects.toThrow(TypeError);
    await expect(verifyMwt(token, { keys, now: 1500.5 })).rejects.toThrow(TypeError);
    await expect(verifyMwt(token, { keys, now: 1500, maxBytes: Number.POSITIVE_INFINITY })).rejects.toThrow(TypeError);
  });

  it("reads the clock when no time is given", async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const fresh = await signMwt({ ...claims, iat: nowSeconds, exp: nowSeconds + 60 }, secret);
    expect(await codeOf(fresh, { keys })).toBe("valid");
    expect(await codeOf(await signMwt(claims, secret), { keys })).toBe("expired");
  });

  it("refuses oversize tokens before decoding them", async () => {
    const token = await signMwt(claims, secret);
    expect(await codeOf(token, { ...at, maxBytes: token.length })).toBe("valid");
    expect(await codeOf(token, { ...at, maxBytes: token.length - 1 })).toBe("oversize");
    expect(await codeOf("x".repeat(4097))).toBe("oversize");
    // Counted in UTF-8 bytes: 2000 two-byte characters are 4000 bytes, not 2000.
    expect(await codeOf("é".repeat(2049))).toBe("oversize");
  });

  it("refuses tokens of the wrong shape or version", async () => {
    const token = await signMwt(claims, secret);
    const [, payload, signature] = token.split(".") as [string, string, string];
    expect(await codeOf(`${token}.x`)).toBe("malformed");
    expect(await codeOf("")).toBe("malformed");
    expect(await codeOf("mwt1")).toBe("malformed");
    expect(await codeOf(`mwt1.${payload}`)).toBe("malformed");
    expect(await codeOf(`mwt1..${signature}`)).toBe("malformed");
    expect(await codeOf(`mwt1.${payload}.`)).toBe("malformed");
    // The version is read before the number of parts.
    expect(await codeOf(`${payload}.${signature}`)).toBe("wrong_version");
    expect(await codeOf(`mwt2.${payload}.${signature}`)).toBe("wrong_version");
    expect(await codeOf(forge('{"exp":2000,"iat":1000,"kid":"k1","pk":"p","sub":"u"}', secret, "MWT1"))).toBe("wrong_version");
  });

  it("refuses a signature that is not 32 bytes as malformed", async () => {
    const token = await signMwt(claims, secret);
    const [, payload, signature] = token.split(".") as [string, string, string];
    expect(await codeOf(`mwt1.${payload}.${signature.slice(0, 40)}`)).toBe("malformed");
    expect(await codeOf(`mwt1.${payload}.${signature}AAAA`)).toBe("malformed");
  });

  it("refuses non-canonical base64url in the payload and the signature", async () => {
    const token = await signMwt(claims, secret);
    const [, payload, signature] = token.split(".") as [string, string, string];
    expect(await codeOf(`mwt1.${payload}=.${signature}`)).toBe("bad_encoding");
    expect(await codeOf(`mwt1.e30$.${signature}`)).toBe("bad_encoding");
    expect(await codeOf(`mwt1.${payload}.${signature}=`)).toBe("bad_encoding");
    expect(await codeOf(`mwt1.${payload}.+${signature.slice(1)}`)).toBe("bad_encoding");
    // The last signature character carries 2 unused bits; setting them is not canonical.
    const last = signature.at(-1)!;
    const sloppy = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const bumped = sloppy[sloppy.indexOf(last) + 1]!;
    expect(await codeOf(`mwt1.${payload}.${signature.slice(0, -1)}${bumped}`)).toBe("bad_encoding");
  });

  it.each([
    ["whitespace", '{"exp":2000, "iat":1000,"kid":"k1","pk":"p","sub":"u"}'],
    ["unsorted members", '{"iat":1000,"exp":2000,"kid":"k1","pk":"p","sub":"u"}'],
    ["a non-minimal number", '{"exp":2000.0,"iat":1000,"kid":"k1","pk":"p","sub":"u"}'],
    ["a duplicate member", '{"exp":2000,"iat":1000,"kid":"k1","pk":"p","sub":"u","sub":"u"}'],
    ["an unnecessary escape", '{"exp":2000,"iat":1000,"kid":"k1","pk":"p","sub":"\\u0075"}'],
  ])("refuses a signed payload with %s as non_canonical", async (_, payload) => {
    expect(await codeOf(forge(payload))).toBe("non_canonical");
  });

  it.each([
    ["not JSON", '{"exp":2000'],
    ["an array", "[1]"],
    ["a string", '"sub"'],
    ["a lone surrogate", '{"exp":2000,"iat":1000,"kid":"k1","pk":"p","sub":"\\ud800"}'],
    ["a number beyond the double range", '{"exp":1e400,"iat":1000,"kid":"k1","pk":"p","sub":"u"}'],
    ["nested too deep", `{"exp":2000,"iat":1000,"kid":"k1","pk":"p","sub":"u","x":${"[".repeat(127)}${"]".repeat(127)}}`],
  ])("refuses a signed payload that is %s as invalid_payload", async (_, payload) => {
    expect(await codeOf(forge(payload))).toBe("invalid_payload");
  });

  it("refuses a payload that is not UTF-8 as invalid_payload", async () => {
    const payload = encodeBase64url(Uint8Array.of(0x22, 0xff, 0x22));
    expect(await codeOf(`mwt1.${payload}.${"A".repeat(43)}`)).toBe("invalid_payload");
  });

  it.each([
    ["a missing sub", '{"exp":2000,"iat":1000,"kid":"k1","pk":"p"}'],
    ["a numeric sub", '{"exp":2000,"iat":1000,"kid":"k1","pk":"p","sub":7}'],
    ["a fractional exp", '{"exp":2000.5,"iat":1000,"kid":"k1","pk":"p","sub":"u"}'],
    ["a string iat", '{"exp":2000,"iat":"1000","kid":"k1","pk":"p","sub":"u"}'],
    ["a negative iat", '{"exp":2000,"iat":-1,"kid":"k1","pk":"p","sub":"u"}'],
    ["a null kid", '{"exp":2000,"iat":1000,"kid":null,"pk":"p","sub":"u"}'],
    ["an unsafe exp", '{"exp":9007199254740992,"iat":1000,"kid":"k1","pk":"p","sub":"u"}'],
    ["perms that are not strings", '{"exp":2000,"iat":1000,"kid":"k1","perms":["a",1],"pk":"p","sub":"u"}'],
    ["perms that are not an array", '{"exp":2000,"iat":1000,"kid":"k1","perms":"a","pk":"p","sub":"u"}'],
  ])("refuses claims with %s as invalid_claims", async (_, payload) => {
    expect(await codeOf(forge(payload))).toBe("invalid_claims");
  });

  it("refuses a tampered payload or signature", async () => {
    const token = await signMwt(claims, secret);
    const [, , signature] = token.split(".") as [string, string, string];
    const other = await signMwt({ ...claims, sub: "admin" }, utf8.encode("attacker"));
    const [, otherPayload] = other.split(".") as [string, string, string];
    expect(await codeOf(`mwt1.${otherPayload}.${signature}`)).toBe("bad_signature");
    expect(await codeOf(forge('{"exp":2000,"iat":1000,"kid":"k1","pk":"p","sub":"u"}', utf8.encode("wrong")))).toBe(
      "bad_signature",
    );
  });

  it("checks kid, then the signature, then the other claims, then the clock", async () => {
    const wrong = utf8.encode("wrong");
    expect(await codeOf(forge('{"exp":10,"iat":1,"kid":"k1","pk":"p","sub":"u"}', wrong))).toBe("bad_signature");
    expect(await codeOf(forge('{"exp":2000,"iat":1000,"kid":"k1","pk":"p","sub":7}', wrong))).toBe("bad_signature");
    expect(await codeOf(forge('{"exp":2000,"iat":1000,"kid":"k9","pk":"p","sub":7}', wrong))).toBe("unknown_kid");
    expect(await codeOf(forge('{"exp":2000,"iat":1000,"kid":9,"pk":"p","sub":"u"}', wrong))).toBe("invalid_claims");
    expect(await codeOf(forge('{"exp":2000,"iat":1000,"pk":"p","sub":"u"}', wrong))).toBe("invalid_claims");
  });

  it("refuses to sign claims it would not verify", async () => {
    const bad = { ...claims, exp: 1.5 };
    await expect(signMwt(bad, secret)).rejects.toThrow(MwtError);
  });
});

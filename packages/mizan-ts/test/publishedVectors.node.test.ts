import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalize, fromHex, hmacSha256, parseJsonStrict, toHex } from "mizan/core";
import { VECTOR_DIR } from "./loadVectors.js";

// Published third-party vectors vendored under spec/vectors/ with their licences, checked
// here as in crates/mizan-core/tests/published_vectors.rs.

interface WycheproofCase {
  readonly tcId: number;
  readonly key: string;
  readonly msg: string;
  readonly tag: string;
  readonly result: "valid" | "invalid";
}

const wycheproof = JSON.parse(readFileSync(`${VECTOR_DIR}wycheproof/hmac_sha256_test.json`, "utf8")) as {
  numberOfTests: number;
  testGroups: { tagSize: number; tests: WycheproofCase[] }[];
};
const cases = wycheproof.testGroups.flatMap((group) => group.tests.map((test) => ({ ...test, tagBytes: group.tagSize / 8 })));

describe("Wycheproof HMAC-SHA256 (spec/vectors/wycheproof)", () => {
  it("has every case the file counts", () => {
    expect(cases).toHaveLength(wycheproof.numberOfTests);
  });

  it.each(cases.map((c) => [c.tcId, c] as const))("tcId %i", async (_, c) => {
    const mac = await hmacSha256(fromHex(c.key), fromHex(c.msg));
    expect(toHex(mac.slice(0, c.tagBytes)) === c.tag).toBe(c.result === "valid");
  });
});

describe("RFC 8785 reference data (spec/vectors/rfc8785)", () => {
  const names = readdirSync(`${VECTOR_DIR}rfc8785/input`).sort();

  it("has all six files", () => {
    expect(names).toEqual(["arrays.json", "french.json", "structures.json", "unicode.json", "values.json", "weird.json"]);
  });

  it.each(names)("%s", (name) => {
    const input = readFileSync(`${VECTOR_DIR}rfc8785/input/${name}`, "utf8");
    const expected = readFileSync(`${VECTOR_DIR}rfc8785/output/${name}`, "utf8");
    expect(canonicalize(parseJsonStrict(input))).toBe(expected);
  });
});

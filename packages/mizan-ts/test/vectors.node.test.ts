import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CANONICAL_JSON_ERROR_CODES, MWT_ERROR_CODES } from "mizan/core";
import { loadVectorFile } from "./loadVectors.js";
import { VECTOR_FILES, checkVector } from "./vectorChecks.js";

// Every entry of every spec/vectors file, one test each; a missing or empty file fails.
for (const file of VECTOR_FILES) {
  describe(`spec/vectors/${file}.json`, () => {
    let entries: readonly unknown[] = [];
    let loadError: unknown = null;
    try {
      entries = loadVectorFile(file);
    } catch (error) {
      loadError = error;
    }

    it("exists and has vectors", () => {
      expect(loadError).toBeNull();
      expect(entries.length).toBeGreaterThan(0);
    });

    it.each(entries.map((entry, index) => [index, entry] as const))("vector %i", async (_, entry) => {
      expect(await checkVector(file, entry)).toBeNull();
    });
  });
}

// The code tables and the vectors must name the same rejections: a code the Rust side
// adds shows up here as an unknown vector code, a code only TypeScript has as uncovered.
describe("error code tables against spec/vectors", () => {
  const errorsIn = (file: "mwt" | "canonical") =>
    new Set(
      loadVectorFile(file).flatMap((entry) => {
        const error = (entry as { error?: unknown }).error;
        return typeof error === "string" ? [error] : [];
      }),
    );

  it("MWT_ERROR_CODES is exactly the set of codes mwt.json uses", () => {
    expect([...errorsIn("mwt")].sort()).toEqual(Object.keys(MWT_ERROR_CODES).sort());
  });

  it("every canonical.json error code is in CANONICAL_JSON_ERROR_CODES", () => {
    const known = Object.keys(CANONICAL_JSON_ERROR_CODES);
    expect([...errorsIn("canonical")].filter((code) => !known.includes(code))).toEqual([]);
  });
});

describe("error code tables against spec/PROTOCOL.md", () => {
  const protocol = readFileSync(fileURLToPath(new URL("../../../spec/PROTOCOL.md", import.meta.url)), "utf8");
  // The text of section `n` ("1.4"), up to the next heading of the same or a higher level.
  const section = (n: string) => {
    const start = protocol.indexOf(`\n### ${n} `);
    expect(start).toBeGreaterThanOrEqual(0);
    const next = protocol.slice(start + 1).search(/\n#{1,3} /);
    return next < 0 ? protocol.slice(start) : protocol.slice(start, start + 1 + next);
  };
  const codesOfTable = (text: string, row: RegExp) => [...text.matchAll(row)].map((m) => m[1]);

  it("MWT_ERROR_CODES lists the §1.4 codes in the order the table gives them", () => {
    // Rows of the code/step table: "| `expired` | 10 |".
    expect(codesOfTable(section("1.4"), /^\| `([a-z_]+)` \| \d/gm)).toEqual(Object.keys(MWT_ERROR_CODES));
  });

  it("CANONICAL_JSON_ERROR_CODES starts with the §1.1 codes", () => {
    // Rows of the rejection table: "| `syntax` | the text is not RFC 8259 JSON ... |".
    const shared = codesOfTable(section("1.1"), /^\| `([a-z_]+)` \| [a-z]/gm);
    expect(shared.length).toBeGreaterThan(0);
    expect(Object.keys(CANONICAL_JSON_ERROR_CODES).slice(0, shared.length)).toEqual(shared);
  });
});

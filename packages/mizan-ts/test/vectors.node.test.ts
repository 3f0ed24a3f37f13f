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
    new Set(loadVectorFile(file).flatMap((entry) => {
      const error = (entry as { error?: unknown }).error;
      return typeof error === "string" ? [error] : [];
    }));

  it("MWT_ERROR_CODES is exactly the set of codes mwt.json uses", () => {
    expect([...errorsIn("mwt")].sort()).toEqual(Object.keys(MWT_ERROR_CODES).sort());
  });

  it("every canonical.json error code is in CANONICAL_JSON_ERROR_CODES", () => {
    const known = Object.keys(CANONICAL_JSON_ERROR_CODES);
    expect([...errorsIn("canonical")].filter((code) => !known.includes(code))).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
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

import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests import the package by its public subpaths, resolved to the sources: no build step.
export default defineConfig({
  resolve: {
    alias: {
      "mizan/core": fileURLToPath(new URL("./src/core/index.ts", import.meta.url)),
    },
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

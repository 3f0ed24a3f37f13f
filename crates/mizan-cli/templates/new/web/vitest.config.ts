import { defineConfig } from "vitest/config";

// `npm test`: test/ in node, against the built server (scripts/test builds it).
export default defineConfig({
  test: { include: ["test/**/*.test.ts"], environment: "node", testTimeout: 30_000 },
});

import { defineConfig } from "vitest/config";

// The end-to-end suite: the built demo server and page in headless Chromium. One file, run
// in order (the servers and browsers it starts are the expensive part).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

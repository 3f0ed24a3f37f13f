import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// Tests import the package by its public subpaths, resolved to the sources: no build step.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^mizan\/core$/, replacement: source("./src/core/index.ts") },
      { find: /^mizan\/react$/, replacement: source("./src/react/index.ts") },
      { find: /^mizan\/edge$/, replacement: source("./src/edge/index.ts") },
      { find: /^mizan\/codegen$/, replacement: source("./src/codegen/index.ts") },
      { find: /^mizan$/, replacement: source("./src/client/index.ts") },
    ],
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Starts examples/hello on a free loopback port for the suites that talk to a real server.
    globalSetup: ["test/helloServer.globalSetup.ts"],
    // The integration suites share one server whose revisions they move: one file at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});

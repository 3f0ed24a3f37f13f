import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCodegen } from "mizan/codegen";

/** Where the suites write generated code (git-ignored). */
// Paths from strings, not `new URL`: under happy-dom the global URL is the DOM's.
const HERE = dirname(fileURLToPath(import.meta.url));
export const GENERATED_DIR = `${join(HERE, ".generated")}/`;
export const FULL_SCHEMA_PATH = join(HERE, "fixtures", "full-schema.json");

export function fullSchema(): unknown {
  return JSON.parse(readFileSync(FULL_SCHEMA_PATH, "utf8"));
}

/** Generates the hello client from the running server's `/schema` into `.generated/hello/`. */
export function generateHello(helloUrl: string): Promise<string[]> {
  return runCodegen({ schema: `${helloUrl}/schema`, outDir: `${GENERATED_DIR}hello` });
}

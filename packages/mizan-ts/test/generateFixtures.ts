import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runCodegen } from "mizan/codegen";

/** Where the suites write generated code (git-ignored). */
export const GENERATED_DIR = fileURLToPath(new URL("./.generated/", import.meta.url));
export const FULL_SCHEMA_PATH = fileURLToPath(new URL("./fixtures/full-schema.json", import.meta.url));

export function fullSchema(): unknown {
  return JSON.parse(readFileSync(FULL_SCHEMA_PATH, "utf8"));
}

/** Generates the hello client from the running server's `/schema` into `.generated/hello/`. */
export function generateHello(helloUrl: string): Promise<string[]> {
  return runCodegen({ schema: `${helloUrl}/schema`, outDir: `${GENERATED_DIR}hello` });
}

/// <reference types="node" />
// The mizan-codegen command line; bin.ts runs it, tests call `main` directly.
import { parseArgs } from "node:util";
import { runCodegen } from "./runCodegen.js";

const USAGE = `usage: mizan-codegen <schema.json | http(s)://host/mizan/schema> [--out DIR] [--runtime MODULE]

Writes DIR/client.ts (types, function table, typed client) and DIR/react.ts (hooks and one
provider per context group). DIR defaults to src/mizan; MODULE (what the generated code
imports the runtime from) to "mizan".`;

/** The CLI: returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { out: { type: "string", short: "o" }, runtime: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  const [schema] = positionals;
  if (schema === undefined || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  try {
    const written = await runCodegen({
      schema,
      outDir: values.out ?? "src/mizan",
      ...(values.runtime === undefined ? {} : { runtimeModule: values.runtime }),
    });
    for (const path of written) console.log(`wrote ${path}`);
    if (written.length === 0) console.log(`up to date: ${values.out ?? "src/mizan"}`);
    return 0;
  } catch (error) {
    console.error(`mizan-codegen: ${(error as Error).message}`);
    return 1;
  }
}

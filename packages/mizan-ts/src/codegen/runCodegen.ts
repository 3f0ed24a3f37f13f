/// <reference types="node" />
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generate, type GenerateOptions } from "./generate.js";

export interface CodegenArgs extends GenerateOptions {
  /** A schema document: a file path, or an `http(s)://` URL (e.g. `http://localhost:3000/mizan/schema`). */
  readonly schema: string;
  /** The directory to write `client.ts` and `react.ts` into (created if missing). */
  readonly outDir: string;
  /** Defaults to the global `fetch`. */
  readonly fetch?: (url: string) => Promise<Response>;
}

/**
 * Reads a schema document, generates the files and writes those whose content changed (a
 * dev server watching them reloads only on a real change). Returns the paths written.
 */
export async function runCodegen(args: CodegenArgs): Promise<string[]> {
  const text = /^https?:\/\//.test(args.schema)
    ? await fetchSchema(args.schema, args.fetch ?? ((url) => fetch(url)))
    : await readFile(args.schema, "utf8");
  const files = generate(JSON.parse(text) as unknown, args);
  await mkdir(args.outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of Object.entries<string>({ ...files })) {
    const path = join(args.outDir, name);
    const before = await readFile(path, "utf8").catch(() => null);
    if (before === content) continue;
    await writeFile(path, content);
    written.push(path);
  }
  return written;
}

async function fetchSchema(url: string, fetchImpl: (url: string) => Promise<Response>): Promise<string> {
  const response = await fetchImpl(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.text();
}

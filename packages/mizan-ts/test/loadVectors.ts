import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { VECTOR_FILES, vectorEntries, type VectorFile, type VectorSet } from "./vectorChecks.js";

/** `spec/vectors/` at the repository root, or `$MIZAN_VECTOR_DIR` when set. */
export const VECTOR_DIR = process.env["MIZAN_VECTOR_DIR"]
  ? `${process.env["MIZAN_VECTOR_DIR"].replace(/\/$/, "")}/`
  : fileURLToPath(new URL("../../../spec/vectors/", import.meta.url));

/** Reads one vector file; throws if it is missing, unparseable or empty. */
export function loadVectorFile(file: VectorFile): readonly unknown[] {
  const path = `${VECTOR_DIR}${file}.json`;
  if (!existsSync(path)) throw new Error(`missing vector file ${path}`);
  const entries = vectorEntries(JSON.parse(readFileSync(path, "utf8")));
  if (entries.length === 0) throw new Error(`vector file ${path} has no vectors`);
  return entries;
}

/**
 * `codes.json`: every wire code table of the Rust core and the names both sides share.
 * Not a list of vectors, so it is read on its own.
 */
export function loadCodes(): unknown {
  return JSON.parse(readFileSync(`${VECTOR_DIR}codes.json`, "utf8"));
}

export function loadVectors(): VectorSet {
  return Object.fromEntries(VECTOR_FILES.map((file) => [file, loadVectorFile(file)])) as Record<VectorFile, readonly unknown[]>;
}

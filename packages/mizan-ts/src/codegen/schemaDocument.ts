import { isRecord } from "../core/isRecord.js";

/** A JSON Schema (2020-12) as the schema document carries it. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/** One function entry of the schema document (`spec/SCHEMA.md`). */
export interface SchemaFunction {
  readonly kind: "query" | "mutation";
  readonly description: string | null;
  readonly context: string | null;
  readonly input: JsonSchema;
  readonly output: JsonSchema;
  readonly error: JsonSchema | null;
  readonly cache: {
    readonly scope: "none" | "public" | "permission" | "user";
    readonly ttl_seconds: number | null;
    readonly tags: readonly string[];
  };
  readonly access: { readonly kind: string; readonly permissions?: readonly string[] };
  readonly invalidates: readonly string[];
  readonly meta: Readonly<Record<string, unknown>>;
}

/** The schema document, version 1. Extension sections (`channels`, ...) stay `unknown`. */
export interface SchemaDocument {
  readonly version: 1;
  readonly functions: Readonly<Record<string, SchemaFunction>>;
  readonly compositions: Readonly<Record<string, { readonly members: readonly string[] }>>;
  readonly contexts: Readonly<Record<string, readonly string[]>>;
  readonly error_codes: Readonly<Record<string, { readonly status: number; readonly description: string }>>;
  readonly [extension: string]: unknown;
}

/** The keys of the document that are not extension sections. */
export const RESERVED_SECTIONS = ["version", "functions", "compositions", "contexts", "error_codes", "forms"] as const;

const NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/**
 * Checks that `value` is a version-1 schema document, naming every problem at once.
 *
 * @throws {Error} listing what is wrong.
 */
export function parseSchemaDocument(value: unknown): SchemaDocument {
  const problems: string[] = [];
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
  if (!isRecord(value)) throw new Error("the schema document is not a JSON object");
  if (value["version"] !== 1) problems.push(`version must be 1, got ${JSON.stringify(value["version"])}`);
  for (const section of ["functions", "compositions", "contexts", "error_codes"]) {
    if (!isRecord(value[section])) problems.push(`${section} must be an object`);
  }
  if (problems.length > 0) throw new Error(`invalid schema document:\n- ${problems.join("\n- ")}`);
  for (const [name, fn] of Object.entries(value["functions"] as Record<string, unknown>)) {
    const at = `functions.${name}`;
    if (!NAME.test(name)) problems.push(`${at}: not a snake_case dotted name`);
    if (!isRecord(fn)) {
      problems.push(`${at} must be an object`);
      continue;
    }
    if (fn["kind"] !== "query" && fn["kind"] !== "mutation") problems.push(`${at}.kind must be query or mutation`);
    if (!isRecord(fn["cache"]) || !strings(fn["cache"]["tags"])) problems.push(`${at}.cache.tags must be a list of strings`);
    if (!strings(fn["invalidates"])) problems.push(`${at}.invalidates must be a list of strings`);
    for (const key of ["input", "output"]) {
      if (!isRecord(fn[key]) && typeof fn[key] !== "boolean") problems.push(`${at}.${key} must be a JSON Schema`);
    }
  }
  for (const [name, composition] of Object.entries(value["compositions"] as Record<string, unknown>)) {
    if (!isRecord(composition) || !strings(composition["members"])) problems.push(`compositions.${name}.members must be a list`);
  }
  for (const [name, members] of Object.entries(value["contexts"] as Record<string, unknown>)) {
    if (!strings(members)) problems.push(`contexts.${name} must be a list of function names`);
  }
  if (problems.length > 0) throw new Error(`invalid schema document:\n- ${problems.join("\n- ")}`);
  return value as unknown as SchemaDocument;
}

// The checks behind both vector suites: the Node one (vectors.node.test.ts) and the one
// inside workerd (workerd/worker.ts). Plain TypeScript over mizan/core, no test framework
// and no Node APIs, so the same code runs in both places.
import {
  bearerToken,
  CanonicalJsonError,
  checkAccess,
  parseAccessRule,
  MwtError,
  canonicalize,
  deriveCacheKey,
  derivePermissionKey,
  fromHex,
  parseJsonStrict,
  signMwt,
  verifyMwt,
  type CacheKeyParts,
} from "../src/core/index.js";
import { isRecord } from "../src/core/isRecord.js";

/** Every file in `spec/vectors/` this package must pass, by name without `.json`. */
export const VECTOR_FILES = ["canonical", "cache_keys", "permission_keys", "mwt", "access", "auth_headers"] as const;
export type VectorFile = (typeof VECTOR_FILES)[number];

export type VectorSet = Readonly<Record<VectorFile, readonly unknown[]>>;

export interface VectorFailure {
  readonly file: VectorFile;
  readonly index: number;
  readonly problem: string;
}

export interface VectorReport {
  readonly counts: Readonly<Record<VectorFile, number>>;
  readonly total: number;
  readonly passed: number;
  readonly failures: readonly VectorFailure[];
}

/** The entries of a vector file: a bare array, or an object with a `vectors` array. */
export function vectorEntries(parsed: unknown): readonly unknown[] {
  if (Array.isArray(parsed)) return parsed;
  if (isRecord(parsed) && Array.isArray(parsed["vectors"])) return parsed["vectors"];
  throw new TypeError("a vector file must be an array or an object with a vectors array");
}

/** Checks one vector; `null` when it passes, else what went wrong. */
export async function checkVector(file: VectorFile, entry: unknown): Promise<string | null> {
  try {
    const vector = entry as Record<string, unknown>;
    switch (file) {
      case "canonical":
        return checkCanonical(vector);
      case "cache_keys":
        return await checkCacheKey(vector);
      case "permission_keys":
        return await checkPermissionKey(vector);
      case "mwt":
        return await checkMwt(vector);
      case "access":
        return checkAccessDecision(vector);
      case "auth_headers":
        return same("token", bearerToken(field(vector, "authorization", "string")), vector["token"]);
    }
  } catch (error) {
    return `threw ${describe(error)}`;
  }
}

/** Runs every vector of every file and summarizes. */
export async function runVectors(vectors: VectorSet): Promise<VectorReport> {
  const failures: VectorFailure[] = [];
  const counts = {} as Record<VectorFile, number>;
  let total = 0;
  for (const file of VECTOR_FILES) {
    const entries = vectors[file];
    counts[file] = entries.length;
    total += entries.length;
    if (entries.length === 0) failures.push({ file, index: -1, problem: "no vectors" });
    for (const [index, entry] of entries.entries()) {
      const problem = await checkVector(file, entry);
      if (problem !== null) failures.push({ file, index, problem });
    }
  }
  return { counts, total, passed: total - failures.filter((f) => f.index >= 0).length, failures };
}

function checkCanonical(v: Record<string, unknown>): string | null {
  const input = field(v, "input", "string");
  let actual: string;
  try {
    actual = canonicalize(parseJsonStrict(input));
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    return expectError(v, error.code, error.message);
  }
  return expectSuccess(v, "canonical", actual);
}

async function checkCacheKey(v: Record<string, unknown>): Promise<string | null> {
  const parts = {
    secret: fromHex(field(v, "secret_hex", "string")),
    fn: field(v, "fn", "string"),
    input: v["input"],
    scope: field(v, "scope", "string"),
    who: field(v, "who", "string"),
    rev: field(v, "rev", "number"),
  } as CacheKeyParts;
  return same("key", await deriveCacheKey(parts), field(v, "key", "string"));
}

async function checkPermissionKey(v: Record<string, unknown>): Promise<string | null> {
  const perms = v["perms"];
  if (!Array.isArray(perms) || !perms.every((p) => typeof p === "string")) return "perms is not an array of strings";
  return same("key", await derivePermissionKey(fromHex(field(v, "secret_hex", "string")), perms), field(v, "key", "string"));
}

async function checkMwt(v: Record<string, unknown>): Promise<string | null> {
  const keyHex = v["keys"];
  if (!isRecord(keyHex)) return "keys is not an object";
  const keys = new Map(Object.entries(keyHex).map(([kid, hex]) => [kid, fromHex(String(hex))]));
  const token = field(v, "token", "string");
  const maxBytes = v["max_len"] ?? v["max_bytes"];
  const options = {
    keys,
    now: field(v, "now", "number"),
    leeway: field(v, "leeway", "number"),
    ...(typeof maxBytes === "number" ? { maxBytes } : {}),
  };
  let claims;
  try {
    claims = await verifyMwt(token, options);
  } catch (error) {
    if (!(error instanceof MwtError)) throw error;
    if (v["valid"] !== false) return `expected a valid token, got ${error.code}: ${error.message}`;
    return same("error", error.code, field(v, "error", "string"));
  }
  if (v["valid"] !== true) return `expected ${String(v["error"])}, but the token verified`;
  const claimsProblem = same("claims", canonicalize(claims), canonicalize(v["claims"]));
  if (claimsProblem !== null) return claimsProblem;
  // A claim set has exactly one token per key, so signing the claims again must give it back.
  const secret = keys.get(claims.kid);
  if (secret === undefined) return `no key ${claims.kid} for re-signing`;
  return same("re-signed token", await signMwt(claims, secret), token);
}

function checkAccessDecision(v: Record<string, unknown>): string | null {
  const rule = parseAccessRule(v["access"]);
  if (rule === undefined) return `unreadable access rule ${JSON.stringify(v["access"])}`;
  const claims = v["claims"];
  if (claims !== null && (typeof claims !== "object" || Array.isArray(claims))) return "claims is neither null nor an object";
  return same("decision", checkAccess(rule, claims), field(v, "decision", "string"));
}

function expectError(v: Record<string, unknown>, code: string, message: string): string | null {
  if (!("error" in v)) return `expected success, got ${code}: ${message}`;
  return same("error", code, v["error"]);
}

function expectSuccess(v: Record<string, unknown>, name: string, actual: string): string | null {
  if ("error" in v) return `expected error ${String(v["error"])}, got ${JSON.stringify(actual)}`;
  return same(name, actual, v[name]);
}

function same(name: string, actual: unknown, expected: unknown): string | null {
  return actual === expected ? null : `${name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

function field<T extends "string" | "number">(
  v: Record<string, unknown>,
  name: string,
  type: T,
): T extends "string" ? string : number {
  const value = v[name];
  if (typeof value !== type) throw new TypeError(`vector field ${name} is not a ${type}`);
  return value as T extends "string" ? string : number;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

import { canonicalize } from "../core/canonical.js";

/**
 * The TanStack Query key of one Mizan query: `["mizan", fnName, canonicalInput]`, where
 * `canonicalInput` is the RFC 8785 form of the input (`null` when there is none). Two
 * inputs that are the same JSON value give the same key whatever their member order, and
 * the key is the `input` parameter the GET sends.
 */
export type MizanQueryKey = readonly ["mizan", string, string];

/** The prefix of every key of one function: `["mizan", fnName]`, for invalidation. */
export type MizanFunctionKey = readonly ["mizan", string];

export function getQueryKey(fn: string, input: unknown): MizanQueryKey {
  return ["mizan", fn, canonicalize(input ?? null)];
}

export function getFunctionKey(fn: string): MizanFunctionKey {
  return ["mizan", fn];
}

/** The function a query key belongs to, or `undefined` for keys that are not Mizan's. */
export function functionOfQueryKey(key: readonly unknown[]): string | undefined {
  return key[0] === "mizan" && typeof key[1] === "string" ? key[1] : undefined;
}

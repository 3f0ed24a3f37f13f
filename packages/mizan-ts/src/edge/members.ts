import { isRecord } from "../core/isRecord.js";

/** One call inside a batch or a composition, as the edge reads it (`spec/PROTOCOL.md` §2.2). */
export interface MemberCall {
  readonly fn: string;
  readonly input: unknown;
  /** The revision the caller knows; `null` when it names none (the edge cannot key it). */
  readonly rev: number | null;
}

/** A `rev` the edge may key by: a non-negative safe integer, as the origin's `u64` parameter. */
export function knownRev(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/**
 * The calls of a `POST /batch` body, or `null` for anything the origin would refuse or
 * the edge does not understand (it is then forwarded untouched and the origin answers).
 */
export function batchCalls(body: unknown): MemberCall[] | null {
  if (!isRecord(body) || !onlyKeys(body, ["calls"]) || !Array.isArray(body["calls"])) return null;
  const calls: MemberCall[] = [];
  for (const call of body["calls"] as unknown[]) {
    if (!isRecord(call) || !onlyKeys(call, ["fn", "input", "rev"]) || typeof call["fn"] !== "string") return null;
    if (Object.hasOwn(call, "rev") && knownRev(call["rev"]) === null) return null;
    calls.push({ fn: call["fn"], input: call["input"] ?? null, rev: knownRev(call["rev"]) });
  }
  return calls;
}

/**
 * The member calls of a `POST /compose/{name}` body (`undefined` for an empty body), in the
 * composition's member order, or `null` as for `batchCalls`.
 */
export function compositionCalls(body: unknown, members: readonly string[]): MemberCall[] | null {
  if (body === undefined || body === null) body = {};
  if (!isRecord(body) || !onlyKeys(body, ["inputs", "revs"])) return null;
  const inputs = body["inputs"] ?? {};
  const revs = body["revs"] ?? {};
  if (!isRecord(inputs) || !isRecord(revs)) return null;
  if ([...Object.keys(inputs), ...Object.keys(revs)].some((key) => !members.includes(key))) return null;
  if (Object.values(revs).some((rev) => knownRev(rev) === null)) return null;
  return members.map((fn) => ({
    fn,
    input: Object.hasOwn(inputs, fn) ? inputs[fn] : null,
    rev: Object.hasOwn(revs, fn) ? knownRev(revs[fn]) : null,
  }));
}

/** The `results` of a `POST /batch` answer, if it holds exactly `count` envelopes. */
export function batchResults(body: unknown, count: number): Record<string, unknown>[] | null {
  if (!isRecord(body) || !Array.isArray(body["results"])) return null;
  const results = body["results"] as unknown[];
  return results.length === count && results.every(isRecord) ? results : null;
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[]): boolean {
  return Object.keys(value).every((key) => allowed.includes(key));
}

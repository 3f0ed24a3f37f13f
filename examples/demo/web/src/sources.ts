import { useSyncExternalStore } from "react";
import { compositions } from "./mizan/client";

/** Where an answer came from, as the response headers tell. */
export type Source = "edge" | "origin cache" | "computed" | "not cached" | "browser cache";

const sources = new Map<string, Source>();
const listeners = new Set<() => void>();

function record(fn: string, source: Source): void {
  sources.set(fn, source);
  for (const listener of [...listeners]) listener();
}

/**
 * `Mizan-Edge: hit` first, then the origin's `Mizan-Cache: hit | miss | bypass | off`; a
 * batch or composition member says the same in its envelope's `edge` and `cache`.
 */
function sourceOf(edge: unknown, cache: unknown): Source {
  if (edge === "hit") return "edge";
  switch (cache) {
    case "hit":
      return "origin cache";
    case "miss":
      return "computed";
    default:
      return "not cached";
  }
}

/**
 * A GET the browser answered from its own HTTP cache replays the stored headers; resource
 * timing tells it apart (nothing was transferred).
 */
function fromBrowserCache(url: string): boolean {
  const entries = performance.getEntriesByName(url, "resource") as PerformanceResourceTiming[];
  const last = entries.at(-1);
  return last !== undefined && last.transferSize === 0 && last.decodedBodySize > 0;
}

/** The functions a batch or composition request carries, in the order of its results. */
function membersOf(path: string, body: unknown): readonly string[] {
  const composition = /\/compose\/([^/]+)$/.exec(path)?.[1];
  if (composition !== undefined) return (compositions as Record<string, readonly string[]>)[decodeURIComponent(composition)] ?? [];
  try {
    return typeof body === "string" ? ((JSON.parse(body) as { calls?: { fn: string }[] }).calls ?? []).map((call) => call.fn) : [];
  } catch {
    return [];
  }
}

/** Each member's source, from its envelope in the batch's or composition's results. */
async function recordMembers(path: string, body: unknown, response: Response): Promise<void> {
  const results = ((await response.json().catch(() => ({}))) as { results?: unknown }).results;
  if (typeof results !== "object" || results === null) return;
  const envelopes = Object.values(results) as { edge?: unknown; cache?: unknown }[];
  membersOf(path, body).forEach((fn, i) => {
    const envelope = envelopes[i];
    if (envelope !== undefined) record(fn, sourceOf(envelope.edge, envelope.cache));
  });
}

/** The `fetch` given to `createMizan`: the global one, noting each answer's source. */
export const recordingFetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
  const response = await fetch(input, init);
  const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url, location.href);
  const call = /\/call\/([^/?]+)$/.exec(url.pathname);
  if (call?.[1] !== undefined) {
    const fn = decodeURIComponent(call[1]);
    const source = sourceOf(response.headers.get("mizan-edge"), response.headers.get("mizan-cache"));
    record(fn, (init?.method === undefined || init.method === "GET") && fromBrowserCache(url.href) ? "browser cache" : source);
  } else if (/\/(batch|compose\/[^/]+)$/.test(url.pathname) && response.ok) {
    void recordMembers(url.pathname, init?.body, response.clone());
  }
  return response;
};

/** The latest source of `fn`'s answers, re-rendering when it changes. */
export function useSource(fn: string): Source | undefined {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => sources.get(fn),
  );
}

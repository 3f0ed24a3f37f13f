import { useSyncExternalStore } from "react";
import { compositions } from "./mizan/client";

/** Where an answer came from, as the response headers tell. */
export type Source = "edge" | "origin cache" | "computed" | "not cached" | "browser cache" | "batched";

const sources = new Map<string, Source>();
const listeners = new Set<() => void>();

function record(fn: string, source: Source): void {
  sources.set(fn, source);
  for (const listener of [...listeners]) listener();
}

/** `Mizan-Edge: hit` first, then the origin's `Mizan-Cache: hit | miss | bypass | off`. */
function sourceOf(response: Response): Source {
  if (response.headers.get("mizan-edge") === "hit") return "edge";
  switch (response.headers.get("mizan-cache")) {
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

/**
 * The functions a batch or composition request carries. Their answers share one response,
 * whose headers do not say which member came from where (the server does not report it
 * per member yet), so they are labelled "batched".
 */
function membersOf(path: string, body: unknown): readonly string[] {
  const composition = /\/compose\/([^/]+)$/.exec(path)?.[1];
  if (composition !== undefined) return (compositions as Record<string, readonly string[]>)[decodeURIComponent(composition)] ?? [];
  try {
    return typeof body === "string" ? ((JSON.parse(body) as { calls?: { fn: string }[] }).calls ?? []).map((call) => call.fn) : [];
  } catch {
    return [];
  }
}

/** The `fetch` given to `createMizan`: the global one, noting each answer's source. */
export const recordingFetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
  const response = await fetch(input, init);
  const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url, location.href);
  const call = /\/call\/([^/?]+)$/.exec(url.pathname);
  if (call?.[1] !== undefined) {
    const fn = decodeURIComponent(call[1]);
    record(fn, init?.method === undefined || init.method === "GET" ? (fromBrowserCache(url.href) ? "browser cache" : sourceOf(response)) : sourceOf(response));
  } else if (/\/(batch|compose\/[^/]+)$/.test(url.pathname)) {
    for (const fn of membersOf(url.pathname, init?.body)) record(fn, "batched");
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

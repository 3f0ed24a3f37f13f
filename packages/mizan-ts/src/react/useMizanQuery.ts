import { useQuery, type UseQueryOptions, type UseQueryResult } from "@tanstack/react-query";
import type { MizanClient } from "../client/createMizanClient.js";
import { functionMeta } from "../client/functionTable.js";
import type { MizanError } from "../client/mizanError.js";
import { getQueryKey, type MizanQueryKey } from "./getQueryKey.js";
import { useMizanClient } from "./MizanProvider.js";

/** TanStack options for a Mizan query, minus what Mizan decides (key and fetcher). */
export type MizanQueryOptions<O, E = unknown> = Omit<UseQueryOptions<O, MizanError<E>, O, MizanQueryKey>, "queryKey" | "queryFn">;

/**
 * How long a result stays fresh unless told otherwise: the function's cache ttl. A
 * revision change invalidates it sooner, so the ttl is an upper bound, as at the origin.
 */
export function defaultStaleTime(client: MizanClient, fn: string): number {
  const ttl = functionMeta(client.functions, fn)?.cache.ttlSeconds;
  return ttl === null || ttl === undefined ? 0 : ttl * 1000;
}

/** `useQuery` for the query `fn` with `input`, keyed by `getQueryKey(fn, input)`. */
export function useMizanQuery<O, E = unknown>(
  fn: string,
  input: unknown,
  options?: MizanQueryOptions<O, E>,
): UseQueryResult<O, MizanError<E>> {
  const client = useMizanClient();
  return useQuery<O, MizanError<E>, O, MizanQueryKey>({
    staleTime: defaultStaleTime(client, fn),
    ...options,
    queryKey: getQueryKey(fn, input),
    queryFn: () => client.query<O>(fn, input),
  });
}

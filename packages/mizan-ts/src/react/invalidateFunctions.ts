import type { QueryClient } from "@tanstack/react-query";
import { functionOfQueryKey } from "./getQueryKey.js";

/**
 * Invalidates every query of `functions`. A query already fetching keeps its request
 * (`cancelRefetch: false`): it was sent after the revision moved, so it is fresh, and
 * two invalidations of one change cost one request.
 */
export function invalidateFunctions(queryClient: QueryClient, functions: ReadonlySet<string>): Promise<void> {
  if (functions.size === 0) return Promise.resolve();
  return queryClient.invalidateQueries(
    {
      predicate: (query) => {
        const fn = functionOfQueryKey(query.queryKey);
        return fn !== undefined && functions.has(fn);
      },
    },
    { cancelRefetch: false },
  );
}

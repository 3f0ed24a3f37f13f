import { useQueries } from "@tanstack/react-query";
import { createElement, Fragment, type ReactNode } from "react";
import { getQueryKey } from "./getQueryKey.js";
import { useMizanClient } from "./MizanProvider.js";
import { defaultStaleTime } from "./useMizanQuery.js";

export interface ContextProviderProps<Inputs> {
  /** The input of each member query; a missing one is `null`. */
  readonly inputs?: Partial<Inputs>;
  /** Rendered until every member has settled (data or error). Default: nothing. */
  readonly fallback?: ReactNode;
  readonly children?: ReactNode;
}

/**
 * A provider for one context group (`schema.contexts[group]`): it loads the group's
 * queries together, in one `POST /batch`, into the query cache under the keys the hooks
 * use, and renders its children once all have settled, so the `useQuery` hooks below
 * find their data instead of each fetching on its own.
 */
export function createContextProvider<Inputs extends Record<string, unknown>>(
  group: string,
  members: readonly (keyof Inputs & string)[],
): (props: ContextProviderProps<Inputs>) => ReactNode {
  function MizanContextProvider({ inputs, fallback = null, children }: ContextProviderProps<Inputs>): ReactNode {
    const client = useMizanClient();
    const results = useQueries({
      queries: members.map((fn) => {
        const input = inputs?.[fn] ?? null;
        return {
          queryKey: getQueryKey(fn, input),
          queryFn: () => client.call(fn, input),
          staleTime: defaultStaleTime(client, fn),
        };
      }),
    });
    const settled = results.every((result) => !result.isPending);
    return createElement(Fragment, null, settled ? children : fallback);
  }
  MizanContextProvider.displayName = `MizanContextProvider(${group})`;
  return MizanContextProvider;
}

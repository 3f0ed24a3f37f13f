import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { createContext, createElement, useContext, useEffect, type ReactNode } from "react";
import type { MizanClient } from "../client/createMizanClient.js";
import { invalidateFunctions } from "./invalidateFunctions.js";

const MizanClientContext = createContext<MizanClient | null>(null);

export interface MizanProviderProps {
  readonly client: MizanClient;
  /** The TanStack `QueryClient`: provided to the tree and kept in step with revisions. */
  readonly queryClient: QueryClient;
  readonly children?: ReactNode;
}

/**
 * Makes `client` available to the Mizan hooks and keeps the query cache in step with
 * revisions: whenever the client learns that a function's revision moved (a response's
 * `rev`, `refreshRevisions`, a mutation, `applyRevisions` from the live channel), the
 * queries of that function are invalidated.
 */
export function MizanProvider({ client, queryClient, children }: MizanProviderProps): ReactNode {
  useEffect(
    () => client.onRevisionsChange((functions) => void invalidateFunctions(queryClient, functions)),
    [client, queryClient],
  );
  return createElement(
    MizanClientContext.Provider,
    { value: client },
    createElement(QueryClientProvider, { client: queryClient }, children),
  );
}

/** The client of the nearest `MizanProvider`. */
export function useMizanClient(): MizanClient {
  const client = useContext(MizanClientContext);
  if (client === null) throw new Error("Mizan hooks need a <MizanProvider client={...}> above them");
  return client;
}

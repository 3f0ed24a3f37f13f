import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { createContext, createElement, useContext, useEffect, type ReactNode } from "react";
import type { ChannelClient } from "../channels/createChannelClient.js";
import type { MizanClient } from "../client/createMizanClient.js";
import { forgetViewerData, viewerOf } from "./forgetViewerData.js";
import { invalidateFunctions } from "./invalidateFunctions.js";

const MizanClientContext = createContext<MizanClient | null>(null);
const MizanChannelsContext = createContext<ChannelClient | null>(null);

export interface MizanProviderProps {
  readonly client: MizanClient;
  /** The TanStack `QueryClient`: provided to the tree and kept in step with revisions. */
  readonly queryClient: QueryClient;
  /**
   * The channel client for `useChannel` (generated: `api.$channels`). After it reconnects,
   * every Mizan query is invalidated: publications and purges announced while it was away
   * are lost (at-most-once delivery), so what is shown is refetched.
   */
  readonly channels?: ChannelClient;
  readonly children?: ReactNode;
}

/**
 * Makes `client` available to the Mizan hooks and keeps the query cache in step with
 * revisions: whenever the client learns that a function's revision moved (a response's
 * `rev`, `refreshRevisions`, a mutation, `applyRevisions` from the live channel), the
 * queries of that function are invalidated. When the token (with cookie sign-in, the
 * session) starts speaking for someone else (sign-out, sign-in as another user; not a
 * refresh), every answer that may depend on the caller is dropped and refetched
 * (`forgetViewerData`).
 */
export function MizanProvider({ client, queryClient, channels, children }: MizanProviderProps): ReactNode {
  useEffect(
    () => client.onRevisionsChange((functions) => void invalidateFunctions(queryClient, functions)),
    [client, queryClient],
  );
  useEffect(() => {
    if (client.cookieSignIn) {
      // No token to read: the session's user says who the cookie speaks for.
      let user = client.session()?.user_id ?? null;
      return client.onSessionChange((session) => {
        const next = session?.user_id ?? null;
        if (next === user) return;
        user = next;
        void forgetViewerData(queryClient, client.functions);
      });
    }
    let viewer = viewerOf(client.tokens.get());
    return client.tokens.subscribe((token) => {
      const next = viewerOf(token);
      if (next === viewer) return;
      viewer = next;
      void forgetViewerData(queryClient, client.functions);
    });
  }, [client, queryClient]);
  useEffect(
    () => channels?.onReconnect(() => void queryClient.invalidateQueries({ queryKey: ["mizan"] }, { cancelRefetch: false })),
    [channels, queryClient],
  );
  return createElement(
    MizanClientContext.Provider,
    { value: client },
    createElement(
      MizanChannelsContext.Provider,
      { value: channels ?? null },
      createElement(QueryClientProvider, { client: queryClient }, children),
    ),
  );
}

/** The channel client of the nearest `MizanProvider`. */
export function useMizanChannels(): ChannelClient {
  const channels = useContext(MizanChannelsContext);
  if (channels === null) throw new Error("channel hooks need <MizanProvider channels={api.$channels}> above them");
  return channels;
}

/** The client of the nearest `MizanProvider`. */
export function useMizanClient(): MizanClient {
  const client = useContext(MizanClientContext);
  if (client === null) throw new Error("Mizan hooks need a <MizanProvider client={...}> above them");
  return client;
}

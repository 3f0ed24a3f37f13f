import { QueryClient } from "@tanstack/react-query";
import type { TokenStore } from "mizan";
import { createMizan } from "./mizan/client";
import { recordingFetch } from "./sources";

/**
 * The token lives in this tab's sessionStorage: it survives a reload, not the tab. (Mizan
 * cannot yet set an HttpOnly sign-in cookie; when it can, this store goes and the client
 * runs with `credentials: "include"`.)
 */
function sessionTokenStore(key: string): TokenStore {
  const listeners = new Set<(token: string | null) => void>();
  return {
    get: () => sessionStorage.getItem(key),
    set(token) {
      if (token === sessionStorage.getItem(key)) return;
      if (token === null) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, token);
      for (const listener of [...listeners]) listener(token);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export const api = createMizan({
  baseUrl: "/mizan",
  fetch: recordingFetch,
  tokens: sessionTokenStore("mizan-demo-token"),
  // Every purge anywhere reaches this tab over the WebSocket: no polling.
  channels: { liveRevisions: true },
});

export const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } },
});

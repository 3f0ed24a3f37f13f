import { QueryClient } from "@tanstack/react-query";
import { createMizan } from "./mizan/client";
import { recordingFetch } from "./sources";

export const api = createMizan({
  baseUrl: "/mizan",
  fetch: recordingFetch,
  // Sign-in is the server's HttpOnly cookie (`Config::with_cookie_sign_in`): no script can
  // read the token, the client sends the CSRF header on every POST, and it renews the
  // cookie in the background before it expires.
  credentials: "same-origin",
  // Every purge anywhere reaches this tab over the WebSocket: no polling.
  channels: { liveRevisions: true },
});

// The page cannot see the cookie, so on start it asks: a refresh answers who the cookie
// signs in (and renews it), or `unauthenticated` when there is none.
void api.$client.refreshToken().catch(() => undefined);

export const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } },
});

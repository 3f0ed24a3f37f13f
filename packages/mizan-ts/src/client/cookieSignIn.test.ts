import { describe, expect, it } from "vitest";
import { createMizanClient, type FetchLike } from "./createMizanClient.js";

interface Seen {
  readonly path: string;
  readonly headers: Headers;
  readonly credentials: RequestCredentials | undefined;
}

/** A server in cookie sign-in mode, as far as the client can tell: token functions answer no token. */
function cookieServer(): { fetch: FetchLike; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetch: FetchLike = (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const path = new URL(url).pathname;
    seen.push({ path, headers: new Headers(init?.headers), credentials: init?.credentials });
    const data =
      path.endsWith("/mizan.token") || path.endsWith("/mizan.refresh")
        ? { expires_at: 2_000_000_000, user_id: "ada" }
        : path.endsWith("/mizan.logout")
          ? null
          : "hello";
    return Promise.resolve(new Response(JSON.stringify({ data }), { headers: { "content-type": "application/json" } }));
  };
  return { fetch, seen };
}

describe("cookie sign-in", () => {
  it("keeps no token, sends the cookie and the CSRF header, and logs out on the server", async () => {
    const server = cookieServer();
    const client = createMizanClient<{ user: string; password: string }>({
      baseUrl: "http://app.test/mizan",
      fetch: server.fetch,
      credentials: "include",
    });
    const issued = await client.login({ user: "ada", password: "mizan" });
    expect(issued).toEqual({ expires_at: 2_000_000_000, user_id: "ada" });
    expect(client.tokens.get()).toBeNull();

    await client.mutate("write");
    await client.refreshToken();
    await client.logout();
    expect(server.seen.map((s) => s.path)).toEqual([
      "/mizan/call/mizan.token",
      "/mizan/call/write",
      "/mizan/call/mizan.refresh",
      "/mizan/call/mizan.logout",
    ]);
    for (const request of server.seen) {
      expect(request.credentials).toBe("include");
      expect(request.headers.get("x-mizan-csrf")).toBe("1");
      expect(request.headers.get("authorization")).toBeNull();
    }
  });

  it("refuses an answer without a token in bearer mode", async () => {
    const server = cookieServer();
    const client = createMizanClient({ baseUrl: "http://app.test/mizan", fetch: server.fetch });
    await expect(client.login({ user: "ada" })).rejects.toMatchObject({ code: "invalid_response" });
    await client.logout();
    // Bearer mode forgets the token locally; the server has nothing to clear.
    expect(server.seen.map((s) => s.path)).toEqual(["/mizan/call/mizan.token"]);
  });
});

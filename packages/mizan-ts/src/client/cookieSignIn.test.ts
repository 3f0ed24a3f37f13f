import { afterEach, describe, expect, it, vi } from "vitest";
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

/** A cookie-mode server whose sessions last `ttl` seconds; `refuse` makes refreshes fail. */
function shortSessions(ttl: number): { fetch: FetchLike; paths: string[]; refuse: () => void } {
  const paths: string[] = [];
  let refusing = false;
  const fetch: FetchLike = (input) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const path = new URL(url).pathname;
    paths.push(path);
    const json = (body: unknown, status = 200) =>
      Promise.resolve(new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }));
    if (path.endsWith("/mizan.refresh") && refusing) {
      return json({ error: { code: "unauthenticated", message: "expired", fields: [] } }, 401);
    }
    if (path.endsWith("/mizan.token") || path.endsWith("/mizan.refresh")) {
      return json({ data: { expires_at: Math.floor(Date.now() / 1000) + ttl, user_id: "ada" } });
    }
    return json({ data: null });
  };
  return { fetch, paths, refuse: () => (refusing = true) };
}

describe("cookie sign-in sessions", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const refreshes = (paths: readonly string[]) => paths.filter((p) => p.endsWith("/mizan.refresh")).length;

  it("renews the cookie in the background before each expiry, with no request of the page", async () => {
    vi.useFakeTimers({ now: 1_800_000_000_000 });
    const server = shortSessions(4);
    const client = createMizanClient({ baseUrl: "http://app.test/mizan", fetch: server.fetch, credentials: "include" });
    const seen: (string | null)[] = [];
    client.onSessionChange((session) => seen.push(session?.user_id ?? null));
    await client.login({ user: "ada", password: "mizan" });
    expect(client.session()).toEqual({ user_id: "ada", expires_at: 1_800_000_004 });

    // Half a 4 s lifetime before each expiry (less than the default 60 s): three renewals in 7 s.
    await vi.advanceTimersByTimeAsync(7_000);
    expect(refreshes(server.paths)).toBe(3);
    expect(client.session()?.expires_at).toBe(1_800_000_010);
    expect(server.paths).toHaveLength(4); // the login and the renewals, nothing else

    await client.logout();
    expect(client.session()).toBeNull();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(refreshes(server.paths)).toBe(3);
    expect(seen).toEqual(["ada", "ada", "ada", "ada", null]);
  });

  it("renews first when a request finds the session about to expire (timers paused)", async () => {
    let clock = Math.floor(Date.now() / 1000);
    const server = shortSessions(600);
    const client = createMizanClient({
      baseUrl: "http://app.test/mizan",
      fetch: server.fetch,
      credentials: "include",
      now: () => clock,
    });
    await client.login({ user: "ada" });
    clock += 590; // the tab slept through the renewal
    await client.call("anything");
    expect(server.paths.slice(1)).toEqual(["/mizan/call/mizan.refresh", "/mizan/call/anything"]);
    await client.logout();
  });

  it("ends the session when the server refuses the renewal", async () => {
    vi.useFakeTimers({ now: 1_800_000_000_000 });
    const server = shortSessions(4);
    const client = createMizanClient({ baseUrl: "http://app.test/mizan", fetch: server.fetch, credentials: "include" });
    await client.login({ user: "ada" });
    server.refuse();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(refreshes(server.paths)).toBe(1);
    expect(client.session()).toBeNull();
  });
});

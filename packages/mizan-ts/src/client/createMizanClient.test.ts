import { describe, expect, it } from "vitest";
import { encodeBase64url } from "../core/base64url.js";
import { createMizanClient, type FetchLike } from "./createMizanClient.js";
import { decodeTokenClaims } from "./decodeTokenClaims.js";
import { MizanError } from "./mizanError.js";

function fakeFetch(answer: (request: Request) => Response | Promise<Response>): { fetch: FetchLike; requests: Request[] } {
  const requests: Request[] = [];
  return {
    requests,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      requests.push(request.clone());
      return answer(request);
    },
  };
}

const json = (body: unknown, status = 200) => Response.json(body, { status });

function token(claims: object): string {
  return `mwt1.${encodeBase64url(new TextEncoder().encode(JSON.stringify(claims)))}.${"A".repeat(43)}`;
}

describe("createMizanClient", () => {
  it("fails every call of a batch the server refuses as a whole", async () => {
    const fake = fakeFetch(() => json({ error: { code: "payload_too_large", message: "too big", fields: [] } }, 413));
    const client = createMizanClient({ baseUrl: "http://x/mizan/", fetch: fake.fetch });
    const results = await Promise.allSettled([client.call("a"), client.call("b")]);
    expect(fake.requests.map((r) => r.url)).toEqual(["http://x/mizan/batch"]);
    for (const result of results) {
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: "payload_too_large", status: 413 });
    }
  });

  it("turns a network failure and a non-JSON answer into MizanErrors", async () => {
    const down = createMizanClient({
      baseUrl: "http://x",
      fetch: () => Promise.reject(new TypeError("fetch failed")),
    });
    const offline = await down.call("f").catch((e: unknown) => e);
    expect(offline).toBeInstanceOf(MizanError);
    expect(offline).toMatchObject({ code: "network_error", status: null });
    const proxy = createMizanClient({
      baseUrl: "http://x",
      fetch: () => Promise.resolve(new Response("<html>Bad gateway</html>", { status: 502 })),
    });
    await expect(proxy.call("f")).rejects.toMatchObject({ code: "invalid_response", status: 502 });
    const shapeless = createMizanClient({ baseUrl: "http://x", fetch: () => Promise.resolve(json({ nope: 1 }, 500)) });
    await expect(shapeless.call("f")).rejects.toMatchObject({ code: "invalid_response", status: 500 });
  });

  it("keeps details and fields of an error envelope; application codes keep their status", async () => {
    const fake = fakeFetch(() =>
      json(
        {
          error: {
            code: "duplicate_title",
            message: "taken",
            fields: [{ path: "title", code: "invalid", message: "taken" }],
            details: { existing_id: 7 },
          },
        },
        409,
      ),
    );
    const client = createMizanClient({ baseUrl: "http://x", fetch: fake.fetch });
    const error = (await client.call("posts.create", { title: "t" }).catch((e: unknown) => e)) as MizanError<{
      existing_id: number;
    }>;
    expect([error.code, error.status, error.details?.existing_id, error.fields.length]).toEqual(["duplicate_title", 409, 7, 1]);
  });

  it("sends mutations by POST and queries without a cache policy through the batch", async () => {
    const fake = fakeFetch(() => json({ data: 1 }));
    const client = createMizanClient({
      baseUrl: "http://x",
      fetch: fake.fetch,
      functions: {
        uncached: {
          kind: "query",
          context: null,
          cache: { scope: "none", ttlSeconds: null, tags: ["uncached"] },
          invalidates: [],
        },
      },
    });
    await client.query("uncached", { a: 1 });
    await client.query("unknown");
    expect(fake.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      "POST /call/uncached",
      "POST /call/unknown",
    ]);
  });

  it("names the revision it knows of each batch call and composition member, and ignores the member cache fields", async () => {
    const fake = fakeFetch((request) =>
      new URL(request.url).pathname === "/batch"
        ? json({
            results: [
              { data: 1, rev: 4, cache: "hit", scope: "public" },
              { data: 2, cache: "off", edge: "miss" },
            ],
          })
        : json({
            results: {
              cached: { data: 3, rev: 4, cache: "hit", scope: "public", edge: "hit" },
              other: { data: 4, cache: "off" },
            },
          }),
    );
    const cached = {
      kind: "query",
      context: null,
      cache: { scope: "public", ttlSeconds: null, tags: ["cached"] },
      invalidates: [],
    } as const;
    const client = createMizanClient({
      baseUrl: "http://x",
      fetch: fake.fetch,
      functions: { cached },
      compositions: { page: ["cached", "other"] },
    });
    await client.applyRevisions({ cached: 4 });
    expect(await Promise.all([client.call("cached", { a: 1 }), client.call("other")])).toEqual([1, 2]);
    expect(await client.compose("page")).toEqual({ cached: { ok: true, data: 3, rev: 4 }, other: { ok: true, data: 4 } });
    const bodies = await Promise.all(fake.requests.map((r) => r.json()));
    expect(bodies).toEqual([
      {
        calls: [
          { fn: "cached", input: { a: 1 }, rev: 4 },
          { fn: "other", input: null },
        ],
      },
      { revs: { cached: 4 } },
    ]);
  });

  it("sends the cookie and the CSRF header in cookie mode", async () => {
    const fake = fakeFetch(() => json({ data: true }));
    const client = createMizanClient({ baseUrl: "http://x", fetch: fake.fetch, credentials: "include" });
    await client.mutate("m");
    expect(fake.requests[0]!.headers.get("x-mizan-csrf")).toBe("1");
    expect(fake.requests[0]!.credentials).toBe("include");
  });

  it("refreshes once for concurrent calls, and forgets the token when the refresh is refused", async () => {
    const now = 1_000_000;
    const old = token({ sub: "u", iat: now - 800, exp: now + 10, pk: "p", kid: "k" });
    let refreshes = 0;
    const fake = fakeFetch((request) => {
      if (request.url.endsWith("/call/mizan.refresh")) {
        refreshes++;
        return json({ error: { code: "unauthenticated", message: "no", fields: [], details: { reason: "expired" } } }, 401);
      }
      return json({ results: [{ data: 1 }, { data: 2 }] });
    });
    const client = createMizanClient({ baseUrl: "http://x", fetch: fake.fetch, now: () => now });
    client.tokens.set(old);
    expect(await Promise.all([client.call("a"), client.call("b")])).toEqual([1, 2]);
    expect(refreshes).toBe(1);
    expect(client.tokens.get()).toBeNull();
    expect(fake.requests.at(-1)!.headers.get("authorization")).toBeNull();
  });
});

describe("decodeTokenClaims", () => {
  it("reads the claims of an mwt1 token without verifying it, and refuses anything else", () => {
    expect(decodeTokenClaims(token({ sub: "u", iat: 1, exp: 2, pk: "p", kid: "k" }))).toMatchObject({ sub: "u", exp: 2 });
    expect(decodeTokenClaims("jwt.e30.sig")).toBeNull();
    expect(decodeTokenClaims(token({ sub: "u", exp: "soon", iat: 1 }))).toBeNull();
    expect(decodeTokenClaims("mwt1.!!!.x")).toBeNull();
  });
});

import { createServer, request as httpRequest, type Server } from "node:http";
import { Miniflare } from "miniflare";
import { bundleWorker } from "./workerd/bundleWorker.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { derivePermissionKey, signMwt } from "mizan/core";
import { functionTableOf, parseSchemaDocument } from "mizan/codegen";

// The edge module inside workerd (miniflare), in front of the real examples/hello server.
// A small Node proxy between them counts what reaches the origin, so a hit is proven to
// be served without it. hello runs with its development secrets.
const SIGNING_KEY = "hello-dev-signing-key";
const CACHE_SECRET = "hello-dev-cache-secret";
const utf8 = new TextEncoder();

interface CountingProxy {
  readonly url: string;
  readonly seen: string[];
  /** The body of each request in `seen`, at the same index. */
  readonly bodies: string[];
  close(): Promise<void>;
}

function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const seen: string[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const index = bodies.push("") - 1;
    req.on("data", (chunk: Buffer) => {
      bodies[index] = `${bodies[index] ?? ""}${chunk.toString("utf8")}`;
    });
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forwarded);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        seen,
        bodies,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

const EDGE_WORKER = new URL("./workerd/edgeWorker.ts", import.meta.url).pathname;

async function login(helloUrl: string, user: string): Promise<string> {
  const response = await fetch(`${helloUrl}/call/mizan.token`, {
    method: "POST",
    body: JSON.stringify({ user, password: "mizan" }),
  });
  return ((await response.json()) as { data: { token: string } }).data.token;
}

describe("the edge module inside workerd with examples/hello as origin", () => {
  let helloUrl: string;
  let proxy: CountingProxy;
  let edge: Miniflare;
  let learning: Miniflare;
  const tokens: Record<string, string> = {};

  const get = (mf: Miniflare, path: string, token?: string) =>
    mf.dispatchFetch(
      `http://edge.test/mizan${path}`,
      token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
    );

  /** The current revision of a hello function (the sum of its tags' revisions). */
  const revisionOf = async (tags: string[]): Promise<number> => {
    const answer = (await (await fetch(`${helloUrl}/revisions?tags=${tags.join(",")}`)).json()) as {
      revisions: Record<string, number>;
    };
    return Object.values(answer.revisions).reduce((a, b) => a + b, 0);
  };

  /** Requests the origin saw since `mark`. */
  const originSince = (mark: number) => proxy.seen.slice(mark);

  beforeAll(async () => {
    helloUrl = inject("helloUrl");
    proxy = await startCountingProxy(new URL(helloUrl).origin);
    const schema = parseSchemaDocument(await (await fetch(`${helloUrl}/schema`)).json());
    const script = await bundleWorker(EDGE_WORKER);
    const common = {
      modules: true,
      script,
      compatibilityDate: "2025-09-01",
    };
    const bindings = { ORIGIN: `${proxy.url}/mizan`, SIGNING_KEY, CACHE_SECRET };
    const compositions = Object.fromEntries(Object.entries(schema.compositions).map(([name, c]) => [name, c.members]));
    edge = new Miniflare({
      ...common,
      bindings: { ...bindings, FUNCTIONS: functionTableOf(schema), COMPOSITIONS: compositions },
    });
    learning = new Miniflare({ ...common, bindings });
    await Promise.all([edge.ready, learning.ready]);
    for (const user of ["ada", "bob", "admin"]) tokens[user] = await login(helloUrl, user);
  });

  afterAll(async () => {
    await edge?.dispose();
    await learning?.dispose();
    await proxy?.close();
  });

  it("serves a public hit without reaching the origin", async () => {
    const rev = await revisionOf(["greet", "greetings"]);
    const path = `/call/greet?input=${encodeURIComponent('{"name":"Edge"}')}&rev=${rev}`;
    const mark = proxy.seen.length;
    const first = await get(edge, path);
    expect(first.status).toBe(200);
    expect(first.headers.get("mizan-edge")).toBe("miss");
    const body = await first.text();
    expect(JSON.parse(body)).toEqual({ data: { message: "Hello, Edge!" }, rev });
    expect(originSince(mark)).toHaveLength(1);

    for (const token of [undefined, tokens["ada"], tokens["admin"]]) {
      const again = await get(edge, path, token);
      expect(again.headers.get("mizan-edge")).toBe("hit");
      expect(await again.text()).toBe(body);
      expect(again.headers.get("cache-control")).toBe("public, max-age=60");
    }
    expect(originSince(mark)).toHaveLength(1);
  });

  it("shares a permission-scoped entry between users with the same permission set only", async () => {
    const rev = await revisionOf(["my_permissions"]);
    const path = `/call/my_permissions?rev=${rev}`;
    const mark = proxy.seen.length;

    const ada = await get(edge, path, tokens["ada"]);
    expect([ada.headers.get("mizan-edge"), await ada.json()]).toEqual(["miss", { data: ["greetings.read"], rev }]);
    expect(ada.headers.get("cache-control")).toBe("private, no-store");
    // bob has ada's permission set: the same entry, and the origin is not asked.
    const bob = await get(edge, path, tokens["bob"]);
    expect([bob.headers.get("mizan-edge"), await bob.json()]).toEqual(["hit", { data: ["greetings.read"], rev }]);
    expect(bob.headers.get("cache-control")).toBe("private, no-store");
    expect(originSince(mark)).toHaveLength(1);

    // admin and an anonymous caller hold other sets: their own entries, never ada's.
    const admin = await get(edge, path, tokens["admin"]);
    expect(admin.headers.get("mizan-edge")).toBe("miss");
    expect(((await admin.json()) as { data: string[] }).data).toEqual(["greetings.read", "greetings.write", "mizan.purge"]);
    const anonymous = await get(edge, path);
    expect([anonymous.headers.get("mizan-edge"), await anonymous.json()]).toEqual(["miss", { data: [], rev }]);
    expect(originSince(mark)).toHaveLength(3);
    const adminAgain = await get(edge, path, tokens["admin"]);
    expect(adminAgain.headers.get("mizan-edge")).toBe("hit");
    expect(((await adminAgain.json()) as { data: string[] }).data).toContain("mizan.purge");
    expect(originSince(mark)).toHaveLength(3);
  });

  it("keys user-scoped entries by user", async () => {
    const rev = await revisionOf(["whoami"]);
    const path = `/call/whoami?rev=${rev}`;
    const mark = proxy.seen.length;
    expect(await (await get(edge, path, tokens["ada"])).json()).toEqual({ data: "ada", rev });
    expect(await (await get(edge, path, tokens["bob"])).json()).toEqual({ data: "bob", rev });
    const adaAgain = await get(edge, path, tokens["ada"]);
    expect([adaAgain.headers.get("mizan-edge"), await adaAgain.json()]).toEqual(["hit", { data: "ada", rev }]);
    expect(originSince(mark)).toHaveLength(2);
    // Anonymous callers of a user-scoped query bypass the edge cache (the origin says 401).
    const anonymous = await get(edge, path);
    expect([anonymous.status, anonymous.headers.get("mizan-edge")]).toEqual([401, "bypass"]);
  });

  it("never answers a forged or expired token from the cache", async () => {
    // Warm entries that a forged token would love to read.
    const greetRev = await revisionOf(["greet", "greetings"]);
    const greetPath = `/call/greet?input=${encodeURIComponent('{"name":"Edge"}')}&rev=${greetRev}`;
    expect((await get(edge, greetPath)).headers.get("mizan-edge")).toBe("hit");
    const permRev = await revisionOf(["my_permissions"]);
    const permPath = `/call/my_permissions?rev=${permRev}`;
    await get(edge, permPath, tokens["admin"]);

    const admin = tokens["admin"]!;
    const [payload] = admin.split(".").slice(1);
    const claims = JSON.parse(atob(payload!.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    const now = Math.floor(Date.now() / 1000);
    const perms = claims["perms"] as string[];
    const pk = await derivePermissionKey(utf8.encode(CACHE_SECRET), perms);
    const forged = {
      "bad signature": `${admin.slice(0, -2)}${admin.endsWith("AA") ? "BA" : "AA"}`,
      "other key": await signMwt({ ...claims, kid: "dev" } as never, utf8.encode("not-the-signing-key")),
      expired: await signMwt({ sub: "admin", pk, perms, iat: now - 7200, exp: now - 3600, kid: "dev" }, utf8.encode(SIGNING_KEY)),
      "perms that do not match pk": await signMwt(
        { sub: "ada", pk: claims["pk"] as string, perms: ["greetings.read"], iat: now, exp: now + 600, kid: "dev" },
        utf8.encode(SIGNING_KEY),
      ),
    };
    const mark = proxy.seen.length;
    for (const [what, token] of Object.entries(forged)) {
      for (const path of [greetPath, permPath]) {
        const response = await get(edge, path, token);
        const body = (await response.json()) as { data?: unknown; error?: { code: string; details: { reason: string } } };
        expect(response.status, what).toBe(401);
        expect(response.headers.get("mizan-edge"), what).toBe("bypass");
        expect(body.data, what).toBeUndefined();
        expect(body.error?.code, what).toBe("unauthenticated");
      }
    }
    expect(originSince(mark)).toEqual([]);
    // The reasons are the MWT codes of spec/PROTOCOL.md §1.4.
    const reason = async (token: string) =>
      ((await (await get(edge, greetPath, token)).json()) as { error: { details: { reason: string } } }).error.details.reason;
    expect(await reason(forged["bad signature"])).toBe("bad_signature");
    expect(await reason(forged["other key"])).toBe("bad_signature");
    expect(await reason(forged.expired)).toBe("expired");
    expect(await reason(forged["perms that do not match pk"])).toBe("invalid_claims");
  });

  it("stores only answers computed at the requested revision", async () => {
    const rev = await revisionOf(["greet", "greetings"]);
    const ahead = `/call/greet?input=${encodeURIComponent('{"name":"Future"}')}&rev=${rev + 5}`;
    const mark = proxy.seen.length;
    for (let i = 0; i < 2; i++) {
      const response = await get(edge, ahead);
      expect(((await response.json()) as { rev: number }).rev).toBe(rev);
      expect(response.headers.get("mizan-edge")).toBe("miss");
    }
    // Without a rev the edge cannot name an entry: forwarded every time.
    const noRev = `/call/greet?input=${encodeURIComponent('{"name":"Future"}')}`;
    for (let i = 0; i < 2; i++) expect((await get(edge, noRev)).headers.get("mizan-edge")).toBe("bypass");
    expect(originSince(mark)).toHaveLength(4);
  });

  it("forwards mutations untouched", async () => {
    const mark = proxy.seen.length;
    const reset = await edge.dispatchFetch("http://edge.test/mizan/call/reset_greetings", {
      method: "POST",
      body: "null",
      headers: { authorization: `Bearer ${tokens["ada"]!}` },
    });
    expect(reset.status).toBe(403);
    expect(originSince(mark)).toEqual(["POST /mizan/call/reset_greetings"]);
  });

  const post = (mf: Miniflare, path: string, body: unknown, token?: string) =>
    mf.dispatchFetch(`http://edge.test/mizan${path}`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });

  /** The member calls that reached the origin since `mark`: `fn` of each call of each forwarded batch. */
  const memberCallsSince = (mark: number): string[] =>
    proxy.seen.slice(mark).flatMap((line, i) => {
      expect(line).toBe("POST /mizan/batch");
      return ((JSON.parse(proxy.bodies[mark + i]!) as { calls: { fn: string }[] }).calls ?? []).map((c) => c.fn);
    });

  type Member = { data?: unknown; error?: { code: string }; edge?: string };

  it("answers warm batch members itself and forwards only the misses, in one request", async () => {
    const rev = await revisionOf(["greet", "greetings"]);
    const greet = (name: string) => ({ fn: "greet", input: { name }, rev });
    const ten = Array.from({ length: 10 }, (_, i) => greet(`Batch${i}`));
    const run = async (calls: unknown[]) => {
      const mark = proxy.seen.length;
      const response = await post(edge, "/batch", { calls });
      expect(response.status).toBe(200);
      const { results } = (await response.json()) as { results: Member[] };
      return { header: response.headers.get("mizan-edge"), results, origin: memberCallsSince(mark) };
    };
    const messages = (results: Member[]) => results.map((r) => (r.data as { message: string }).message);

    const cold = await run(ten);
    expect(cold.origin).toHaveLength(10);
    expect([cold.header, ...new Set(cold.results.map((r) => r.edge))]).toEqual(["miss", "miss"]);
    expect(messages(cold.results)).toEqual(ten.map((c) => `Hello, ${c.input.name}!`));

    const warm = await run(ten);
    expect(warm.origin).toEqual([]);
    expect([warm.header, ...new Set(warm.results.map((r) => r.edge))]).toEqual(["hit", "hit"]);
    expect(warm.results.map((r) => r.data)).toEqual(cold.results.map((r) => r.data));

    // Nine warm members and a new one in the middle: one call reaches the origin, and the
    // answer keeps the original order.
    const partly = [...ten.slice(0, 4), greet("BatchNew"), ...ten.slice(5)];
    const mixed = await run(partly);
    expect(mixed.origin).toEqual(["greet"]);
    expect(mixed.results.map((r) => r.edge)).toEqual(["hit", "hit", "hit", "hit", "miss", ...Array(5).fill("hit")]);
    expect(messages(mixed.results)).toEqual(partly.map((c) => `Hello, ${c.input.name}!`));

    // A member without `rev`, or that the table does not cache, is forwarded every time.
    const uncached = await run([ten[0], { fn: "greet", input: { name: "NoRev" } }, { fn: "nope" }]);
    expect(uncached.origin).toEqual(["greet", "nope"]);
    expect(uncached.results.map((r) => r.edge)).toEqual(["hit", "bypass", "bypass"]);
    expect(uncached.results[2]!.error!.code).toBe("not_found");
  });

  it("answers warm composition members itself, each keyed by its own scope", async () => {
    const revs = { greet: await revisionOf(["greet", "greetings"]), whoami: await revisionOf(["whoami"]) };
    const body = { inputs: { greet: { name: "Composed" } }, revs };
    const run = async (token: string | undefined) => {
      const mark = proxy.seen.length;
      const response = await post(edge, "/compose/home_page", body, token);
      expect(response.status).toBe(200);
      const { results } = (await response.json()) as { results: Record<string, Member> };
      return { results, origin: memberCallsSince(mark) };
    };

    const carol = await tokenFor("carol");
    const cold = await run(carol);
    expect(cold.origin).toEqual(["greet", "whoami"]);
    expect(Object.keys(cold.results)).toEqual(["greet", "whoami"]);
    expect(cold.results["whoami"]).toMatchObject({ data: "carol", edge: "miss" });

    const warm = await run(carol);
    expect(warm.origin).toEqual([]);
    expect(Object.keys(warm.results)).toEqual(["greet", "whoami"]);
    expect(warm.results["greet"]).toMatchObject({ data: { message: "Hello, Composed!" }, edge: "hit" });
    expect(warm.results["whoami"]).toMatchObject({ data: "carol", edge: "hit" });

    // dave shares the public greeting, never carol's user-scoped entry.
    const partly = await run(await tokenFor("dave"));
    expect(partly.origin).toEqual(["whoami"]);
    expect(partly.results["greet"]!.edge).toBe("hit");
    expect(partly.results["whoami"]).toMatchObject({ data: "dave", edge: "miss" });

    // A member and the same call made alone share one entry.
    await get(edge, `/call/whoami?rev=${revs.whoami}`, tokens["ada"]);
    const ada = await run(tokens["ada"]);
    expect([ada.origin, ada.results["whoami"]]).toEqual([[], { data: "ada", rev: revs.whoami, edge: "hit" }]);

    // Anonymous: the public member is a hit, the user-scoped one goes to the origin, which refuses it.
    const anonymous = await run(undefined);
    expect(anonymous.origin).toEqual(["whoami"]);
    expect(anonymous.results["greet"]!.edge).toBe("hit");
    expect([anonymous.results["whoami"]!.error?.code, anonymous.results["whoami"]!.data]).toEqual(["unauthenticated", undefined]);
  });

  it("never answers a guarded member from the cache to callers the access rule refuses", async () => {
    const calls = [
      { fn: "writers_note", rev: await revisionOf(["writers_note"]) },
      { fn: "member_greeting", rev: await revisionOf(["member_greeting"]) },
    ];
    const run = async (token: string | undefined) => {
      const mark = proxy.seen.length;
      const response = await post(edge, "/batch", { calls }, token);
      const { results } = (await response.json()) as { results: Member[] };
      return { results, origin: memberCallsSince(mark) };
    };
    await run(tokens["admin"]);
    const warm = await run(tokens["admin"]);
    expect([warm.origin, warm.results.map((r) => r.edge)]).toEqual([[], ["hit", "hit"]]);

    const nobody = await tokenWithoutPermissions();
    for (const [token, codes] of [
      [undefined, ["unauthenticated", "unauthenticated"]],
      [tokens["ada"], ["forbidden", undefined]],
      [nobody, ["forbidden", undefined]],
    ] as const) {
      const refused = await run(token);
      expect(refused.results.map((r) => r.error?.code)).toEqual(codes);
      expect(refused.results[0]!.data).toBeUndefined();
      expect(refused.results[0]!.edge).toBe("bypass");
      if (token === undefined) expect(refused.results[1]!.data).toBeUndefined();
      expect(refused.origin).toContain("writers_note");
    }
  });

  it("forwards a batch it cannot read untouched, so the origin answers the precise error", async () => {
    const mark = proxy.seen.length;
    const duplicate = await edge.dispatchFetch("http://edge.test/mizan/batch", {
      method: "POST",
      body: '{"calls":[],"calls":[{"fn":"greet"}]}',
    });
    expect(duplicate.headers.get("mizan-edge")).toBe("bypass");
    expect(originSince(mark)).toEqual(["POST /mizan/batch"]);
    expect(proxy.bodies[mark]).toBe('{"calls":[],"calls":[{"fn":"greet"}]}');
    await duplicate.arrayBuffer();
  });

  it("without a function table, forwards every call: it never guesses a policy from the origin's headers", async () => {
    const rev = await revisionOf(["greet", "greetings"]);
    const path = `/call/greet?input=${encodeURIComponent('{"name":"Learner"}')}&rev=${rev}`;
    const mark = proxy.seen.length;
    for (let i = 0; i < 2; i++) {
      const response = await get(learning, path);
      expect(response.headers.get("mizan-edge")).toBe("bypass");
      expect(await response.json()).toEqual({ data: { message: "Hello, Learner!" }, rev });
    }
    expect(originSince(mark)).toHaveLength(2);
  });

  /** A token for `sub`, signed-in without permissions. */
  const tokenFor = async (sub: string): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const pk = await derivePermissionKey(utf8.encode(CACHE_SECRET), []);
    return signMwt({ sub, pk, perms: [], iat: now, exp: now + 600, kid: "dev" }, utf8.encode(SIGNING_KEY));
  };

  /** A token for a signed-in caller who holds no permission: its `pk` is that of the empty set, as an anonymous caller's. */
  const tokenWithoutPermissions = (): Promise<string> => tokenFor("nobody");

  /** Asserts a refused answer: the origin's error, and no trace of a cached body. */
  const expectRefused = async (
    response: { status: number; headers: { get(name: string): string | null }; json(): Promise<unknown> },
    status: number,
    code: string,
  ): Promise<void> => {
    const body = (await response.json()) as { data?: unknown; error?: { code: string } };
    expect([response.status, body.error?.code, body.data]).toEqual([status, code, undefined]);
    expect(response.headers.get("mizan-edge")).not.toBe("hit");
  };

  it("never serves an authenticated function's entry to anonymous callers, who share the empty set's permission key", async () => {
    const nobody = await tokenWithoutPermissions();
    const rev = await revisionOf(["member_greeting"]);
    const path = `/call/member_greeting?rev=${rev}`;
    const welcome = { data: "Welcome, member with 0 permission(s).", rev };
    for (const mf of [edge, learning]) {
      for (let i = 0; i < 2; i++) expect(await (await get(mf, path, nobody)).json()).toEqual(welcome);
      await expectRefused(await get(mf, path), 401, "unauthenticated");
    }
    expect((await get(edge, path, nobody)).headers.get("mizan-edge")).toBe("hit");
  });

  it("never serves a permission-gated entry to callers without the permission, warmed or not", async () => {
    const rev = await revisionOf(["writers_note"]);
    const path = `/call/writers_note?rev=${rev}`;
    const note = { data: "Greetings are reset by writers only.", rev };
    for (const mf of [edge, learning]) {
      await expectRefused(await get(mf, path), 401, "unauthenticated");
      await expectRefused(await get(mf, path, tokens["ada"]), 403, "forbidden");
      for (let i = 0; i < 2; i++) {
        const admin = await get(mf, path, tokens["admin"]);
        // Neither the origin nor the edge lets a shared cache keep a guarded answer.
        expect(admin.headers.get("cache-control")).toBe("private, no-store");
        expect(await admin.json()).toEqual(note);
      }
      await expectRefused(await get(mf, path), 401, "unauthenticated");
      await expectRefused(await get(mf, path, tokens["ada"]), 403, "forbidden");
      await expectRefused(await get(mf, path, await tokenWithoutPermissions()), 403, "forbidden");
    }
    const mark = proxy.seen.length;
    expect((await get(edge, path, tokens["admin"])).headers.get("mizan-edge")).toBe("hit");
    expect(originSince(mark)).toEqual([]);
  });

  it("stores nothing the origin's answer does not confirm, whatever a stale table claims", async () => {
    // A table that says the writers' note is public for everyone: the origin disagrees.
    const schema = parseSchemaDocument(await (await fetch(`${helloUrl}/schema`)).json());
    const table = functionTableOf(schema);
    const stale = {
      ...table,
      writers_note: {
        ...table["writers_note"]!,
        access: { kind: "public" },
        cache: { ...table["writers_note"]!.cache, scope: "public" },
      },
    };
    const mf = new Miniflare({
      modules: true,
      script: await bundleWorker(EDGE_WORKER),
      compatibilityDate: "2025-09-01",
      bindings: { ORIGIN: `${proxy.url}/mizan`, SIGNING_KEY, CACHE_SECRET, FUNCTIONS: stale },
    });
    try {
      const rev = await revisionOf(["writers_note"]);
      const path = `/call/writers_note?rev=${rev}`;
      for (let i = 0; i < 2; i++) {
        const admin = await get(mf, path, tokens["admin"]);
        expect([admin.status, admin.headers.get("mizan-edge")]).toEqual([200, "miss"]);
        await admin.arrayBuffer();
        const member = await post(mf, "/batch", { calls: [{ fn: "writers_note", rev }] }, tokens["admin"]);
        expect(((await member.json()) as { results: Member[] }).results[0]!.edge).toBe("miss");
      }
      await expectRefused(await get(mf, path), 401, "unauthenticated");
    } finally {
      await mf.dispose();
    }
  });
});

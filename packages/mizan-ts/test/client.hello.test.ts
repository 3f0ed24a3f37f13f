import { beforeAll, describe, expect, inject, it } from "vitest";
import {
  decodeTokenClaims,
  MIZAN_ERROR_CODES,
  MizanError,
  type MizanApiBase,
  type MizanClientOptions,
  type Settled,
} from "mizan";
import { countingFetch } from "./countingFetch.js";
import { GENERATED_DIR, generateHello } from "./generateFixtures.js";
import { startHello } from "./helloServer.js";

// The generated client (from the running server's /schema) against examples/hello. Its
// static types are checked by codegen.test.ts; here only its behaviour matters.
interface Procedure {
  query(input?: unknown): Promise<unknown>;
  call(input?: unknown): Promise<unknown>;
  mutate(input?: unknown): Promise<unknown>;
}
interface HelloApi extends MizanApiBase {
  greet: Procedure;
  greetStrictly: Procedure;
  whoami: Procedure;
  resetGreetings: Procedure;
  mizan: { token: Procedure; refresh: Procedure };
  $compose: { homePage(inputs?: Record<string, unknown>): Promise<Record<string, Settled>> };
}
type CreateMizan = (options: Omit<MizanClientOptions, "functions">) => HelloApi;

let helloUrl: string;
let createMizan: CreateMizan;

beforeAll(async () => {
  helloUrl = inject("helloUrl");
  await generateHello(helloUrl);
  const modulePath = `${GENERATED_DIR}hello/client.ts`;
  ({ createMizan } = (await import(/* @vite-ignore */ modulePath)) as { createMizan: CreateMizan });
});

function client(options: Partial<MizanClientOptions> = {}) {
  const counter = countingFetch();
  const api = createMizan({ baseUrl: helloUrl, fetch: counter.fetch, ...options });
  return { api, seen: counter.seen };
}

describe("the generated client against examples/hello", () => {
  it("answers a query by GET with canonical input", async () => {
    const { api, seen } = client();
    expect(await api.greet.query({ name: "Ada" })).toEqual({ message: "Hello, Ada!" });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe("GET");
    expect(seen[0]!.url.pathname).toBe("/mizan/call/greet");
    expect(seen[0]!.url.searchParams.get("input")).toBe('{"name":"Ada"}');
  });

  it("sends N calls made in one tick as one POST /batch, in order", async () => {
    const { api, seen } = client();
    const names = ["a", "b", "c", "d", "e"];
    const results = await Promise.all(names.map((name) => api.greet.call({ name })));
    expect(results).toEqual(names.map((name) => ({ message: `Hello, ${name}!` })));
    expect(seen.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(["POST /mizan/batch"]);
    expect(seen[0]!.body).toEqual({ calls: names.map((name) => ({ fn: "greet", input: { name } })) });
    // The server agrees: one answer holding five results.
    expect(((await seen[0]!.response!.json()) as { results: unknown[] }).results).toHaveLength(5);
  });

  it("is counted at the server as one HTTP request for N calls", async () => {
    // A hello of its own, so no other test's requests mix into the count.
    const own = await startHello();
    try {
      const stats = async () =>
        (await (await fetch(own.baseUrl.replace(/\/mizan$/, "/stats"))).json()) as { requests: number; calls: number };
      const api = createMizan({ baseUrl: own.baseUrl });
      const before = await stats();
      await Promise.all(["a", "b", "c", "d", "e", "f"].map((name) => api.greet.call({ name })));
      const after = await stats();
      expect(after.requests - before.requests).toBe(1);
      expect(after.calls - before.calls).toBe(6);
    } finally {
      await own.stop();
    }
  });

  it("splits a batch beyond maxBatchSize", async () => {
    const { api, seen } = client({ maxBatchSize: 2 });
    const names = ["a", "b", "c", "d", "e"];
    const results = await Promise.all(names.map((name) => api.greet.call({ name })));
    expect(results.map((r) => (r as { message: string }).message)).toEqual(names.map((n) => `Hello, ${n}!`));
    expect(seen.map((r) => r.url.pathname)).toEqual(["/mizan/batch", "/mizan/batch", "/mizan/call/greet"]);
    expect(seen.map((r) => (r.body as { calls?: unknown[] }).calls?.length ?? 1)).toEqual([2, 2, 1]);
  });

  it("the server refuses a batch over its limit with limit_exceeded, which fails every call", async () => {
    const { api } = client({ maxBatchSize: 1000 });
    const calls = Array.from({ length: 51 }, (_, i) => api.greet.call({ name: `n${i}` }));
    const settled = await Promise.allSettled(calls);
    for (const result of settled) {
      expect(result.status).toBe("rejected");
      const error = (result as PromiseRejectedResult).reason as MizanError;
      expect(error).toBeInstanceOf(MizanError);
      expect(error.code).toBe("limit_exceeded");
      expect(error.status).toBe(429);
    }
  });

  it("fetches a composition in one round trip; members fail on their own", async () => {
    const { api, seen } = client();
    const home = await api.$compose.homePage({ greet: { name: "Grace" } });
    expect(seen.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(["POST /mizan/compose/home_page"]);
    expect(home["greet"]).toMatchObject({ ok: true, data: { message: "Hello, Grace!" } });
    const whoami = home["whoami"]!;
    expect(whoami.ok).toBe(false);
    if (!whoami.ok) {
      expect(whoami.error).toBeInstanceOf(MizanError);
      expect(whoami.error.code).toBe("unauthenticated");
      expect(whoami.error.status).toBe(401);
    }
  });

  it("types errors with their field errors", async () => {
    const { api } = client();
    const viaGet = await api.greet.query({ name: 42 }).catch((e: unknown) => e);
    expect(viaGet).toBeInstanceOf(MizanError);
    const error = viaGet as MizanError;
    expect(error.code).toBe("validation_failed");
    expect(error.status).toBe(422);
    expect(error.fields).toEqual([{ path: "name", code: "type", message: expect.stringContaining("expected a string") }]);
    expect(error.fieldErrors("name")).toHaveLength(1);
    // Inside a batch the status comes from the code table.
    const [batched] = await Promise.allSettled([api.greet.call({}), api.greet.call({ name: "x" })]);
    const reason = (batched as PromiseRejectedResult).reason as MizanError;
    expect([reason.code, reason.status, reason.fields[0]?.code]).toEqual(["validation_failed", 422, "required"]);
  });

  it("receives a typed error's code, status and details; other failures of the same handler keep theirs", async () => {
    const { api } = client();
    const failure = async (name: string) => (await api.greetStrictly.query({ name }).catch((e: unknown) => e)) as MizanError;
    const reserved = await failure("mizan");
    expect([reserved.code, reserved.status, reserved.message]).toEqual(["reserved", 409, 'the name "mizan" is reserved']);
    expect(reserved.details).toEqual({ kind: "reserved", name: "mizan" });
    const long = await failure("x".repeat(21));
    expect([long.code, long.status, long.details]).toEqual(["too_long", 400, { kind: "too_long", max: 20 }]);
    const stranger = await failure("Ada");
    expect([stranger.code, stranger.status, stranger.details]).toEqual(["unauthenticated", 401, undefined]);
  });

  it("learns revisions from responses, sends them on GET and follows a purge", async () => {
    const { api, seen } = client();
    const admin = client().api;
    await admin.$client.login({ user: "admin", password: "mizan" });

    await api.greet.query({ name: "Rev" });
    const rev = api.$client.revisionOf("greet");
    expect(rev).toBe(Number(seen[0]!.response!.headers.get("mizan-rev")));
    await api.greet.query({ name: "Rev" });
    expect(seen[1]!.url.searchParams.get("rev")).toBe(String(rev));
    // The rev named the current revision: the server lets shared caches keep the answer.
    expect(seen[1]!.response!.headers.get("cache-control")).toBe("public, max-age=60");

    // A purge elsewhere: the client learns the new revision from GET /revisions.
    const purge = await fetch(`${helloUrl}/purge`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.$client.tokens.get()!}`, "content-type": "application/json" },
      body: JSON.stringify({ tags: ["greetings"] }),
    });
    const purged = ((await purge.json()) as { revisions: { greetings: number } }).revisions.greetings;
    const revisions = await api.$client.refreshRevisions();
    expect(revisions["greetings"]).toBe(purged);
    const moved = api.$client.revisionOf("greet")!;
    expect(moved).toBe(revisions["greet"]! + purged);
    expect(moved).toBeGreaterThan(rev!);
    await api.greet.query({ name: "Rev" });
    const after = seen.at(-1)!;
    expect(after.url.searchParams.get("rev")).toBe(String(moved));
    expect(after.response!.headers.get("mizan-rev")).toBe(String(moved));

    // A mutation that invalidates greetings: the client fetches the new revisions itself.
    const changes: string[][] = [];
    admin.$client.onRevisionsChange((fns) => changes.push([...fns].sort()));
    await admin.greet.query({ name: "Rev" });
    const beforeReset = admin.$client.revisionOf("greet")!;
    expect(await admin.resetGreetings.mutate()).toBe(true);
    expect(admin.$client.revisionOf("greet")).toBeGreaterThan(beforeReset);
    expect(changes).toContainEqual(["greet"]);
  });

  it("logs in, sends the token, and refreshes it shortly before it expires", async () => {
    let clock = Math.floor(Date.now() / 1000);
    const { api, seen } = client({ now: () => clock, refreshBeforeSeconds: 60 });
    await expect(api.mizan.token.mutate({ user: "ada", password: "wrong" })).rejects.toMatchObject({
      code: "unauthenticated",
      status: 401,
    });
    const issued = await api.$client.login({ user: "ada", password: "mizan" });
    expect(issued.user_id).toBe("ada");
    const first = api.$client.tokens.get()!;
    expect(decodeTokenClaims(first)).toMatchObject({ sub: "ada", exp: issued.expires_at });
    expect(await api.whoami.query()).toBe("ada");
    expect(seen.at(-1)!.headers.get("authorization")).toBe(`Bearer ${first}`);

    // A token issued a second later differs; then move the clock to 30 s before expiry.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    clock = issued.expires_at - 30;
    const before = seen.length;
    expect(await api.whoami.query()).toBe("ada");
    const [refresh, call] = seen.slice(before);
    expect(refresh!.url.pathname).toBe("/mizan/call/mizan.refresh");
    expect(refresh!.headers.get("authorization")).toBe(`Bearer ${first}`);
    const second = api.$client.tokens.get()!;
    expect(second).not.toBe(first);
    expect(decodeTokenClaims(second)!.exp).toBeGreaterThan(issued.expires_at);
    expect(call!.headers.get("authorization")).toBe(`Bearer ${second}`);
  });

  it("drops a token that has expired instead of failing every request", async () => {
    let clock = Math.floor(Date.now() / 1000);
    const { api, seen } = client({ now: () => clock });
    const issued = await api.$client.login({ user: "bob", password: "mizan" });
    clock = issued.expires_at + 1;
    expect(await api.greet.query({ name: "late" })).toEqual({ message: "Hello, late!" });
    expect(seen.at(-1)!.headers.get("authorization")).toBeNull();
    expect(api.$client.tokens.get()).toBeNull();
  });

  it("the client's error code table is the server's (schema error_codes)", async () => {
    const schema = (await (await fetch(`${helloUrl}/schema`)).json()) as {
      error_codes: Record<string, { status: number }>;
    };
    const served = Object.fromEntries(Object.entries(schema.error_codes).map(([code, e]) => [code, e.status]));
    expect(served).toEqual({ ...MIZAN_ERROR_CODES });
  });
});

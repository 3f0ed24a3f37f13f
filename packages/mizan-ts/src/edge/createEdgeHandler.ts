import { bearerToken } from "../core/bearerToken.js";
import { deriveCacheKey, type CacheScope } from "../core/cacheKey.js";
import { checkAccess, parseAccessRule, type AccessRule } from "../core/checkAccess.js";
import type { HmacSecret } from "../core/importSecret.js";
import type { MwtClaims } from "../core/mwt/mwtClaims.js";
import { MwtError } from "../core/mwt/mwtError.js";
import type { MwtKeys } from "../core/mwt/mwtKeys.js";
import { verifyMwt } from "../core/mwt/verifyMwt.js";
import { parseJsonStrict } from "../core/parseJsonStrict.js";
import { derivePermissionKey } from "../core/permissionKey.js";
import { DEFAULT_TOKEN_COOKIE } from "../core/wireNames.js";
import { functionMeta, type FunctionTable } from "../client/functionTable.js";
import { batchCalls, batchResults, compositionCalls, knownRev, type MemberCall } from "./members.js";

/** What the handler needs of the Workers execution context. */
export interface EdgeContext {
  waitUntil(promise: Promise<unknown>): void;
}

export interface EdgeOptions {
  /** The origin's Mizan base URL, e.g. `https://origin.example.com/mizan`. */
  readonly origin: string;
  /** The path the worker serves Mizan under. Default `/mizan`. */
  readonly prefix?: string;
  /** The keys that verify tokens, by `kid` (the server's signing keyring). */
  readonly keys: MwtKeys;
  /** The server's cache secret: cache keys and permission keys are derived under it. */
  readonly cacheSecret: HmacSecret;
  /**
   * The generated function table: the edge caches only the queries it names, after the
   * same access decision as the origin. Without it (or for a function it does not name)
   * every request is forwarded: a policy is never guessed from the origin's headers.
   */
  readonly functions?: FunctionTable;
  /**
   * The generated compositions (name → members): the edge answers the members of those it
   * knows one by one; any other composition is forwarded untouched.
   */
  readonly compositions?: Readonly<Record<string, readonly string[]>>;
  /** The server's `max_batch_calls` (default 50): a larger batch is forwarded untouched, so the origin refuses it. */
  readonly maxBatchCalls?: number;
  /** Defaults to `caches.default` (the Workers Cache API). */
  readonly cache?: Cache;
  /** Defaults to the global `fetch`. */
  readonly fetch?: (request: Request) => Promise<Response>;
  /** Token clock-skew leeway in seconds (`verifyMwt`). */
  readonly leeway?: number;
  /** The server's token cookie. Default `mizan_token`. */
  readonly cookieName?: string;
  /** How long to keep an entry whose policy names no ttl. Default 3600 (the server's `shared_max_age`). */
  readonly defaultTtlSeconds?: number;
}

/** `Mizan-Edge: hit | miss | bypass`: what the edge did with a request. */
export const MIZAN_EDGE_HEADER = "mizan-edge";

interface Policy {
  readonly scope: CacheScope;
  readonly ttlSeconds: number | null;
  readonly access: AccessRule;
}

type Caller = { readonly claims: MwtClaims } | { readonly claims: null };

/** Where a call's answer lives in the edge cache: only for a call the edge may answer. */
interface Slot {
  readonly url: string;
  readonly policy: Policy;
  readonly rev: number;
}

/**
 * A Cloudflare Workers `fetch` handler in front of a Mizan origin (`spec/PROTOCOL.md` §2).
 * For `GET {prefix}/call/{fn}?input=...&rev=N` of a cached query it:
 *
 * 1. verifies the token (`Authorization: Bearer` or the cookie) with Web Crypto: an
 *    invalid one is answered `401 unauthenticated` here and never reaches a cache;
 * 2. applies the function's access rule from the table to the verified claims, exactly
 *    as the origin does (`spec/vectors/access.json`): a caller the rule refuses is
 *    forwarded, so the origin answers the error, and no cache entry is read or written;
 * 3. derives the cache key (§1.2) from the table's scope, the canonical input, `who`
 *    (`""`, the token's `pk`, or its `sub`) and the requested `rev`;
 * 4. answers from the Workers Cache API under a synthetic URL built from that key;
 * 5. on a miss, forwards to the origin and stores the answer when it is a `200` whose
 *    `rev` equals the requested one and whose `Mizan-Cache-Scope` confirms the table's
 *    scope (a stale table never widens who shares an entry), for the policy's ttl.
 *
 * `POST {prefix}/batch` and `POST {prefix}/compose/{name}` (of a composition in the
 * `compositions` table) take the same steps for each member, keyed by the member's `rev`
 * (batch calls' `"rev"`, compositions' `"revs"`): hits are answered here, the misses go to
 * the origin in one `POST /batch` (the origin has no subset form of a composition, and its
 * members are functions with the same envelopes), each is stored when its envelope
 * confirms it (`data`, `rev` equal to the requested one, `scope` equal to the table's), and
 * the answer is merged in the original order and shape; each member says `"edge": "hit" |
 * "miss" | "bypass"`.
 *
 * Everything else (mutations, requests without `rev`, functions the table does not name,
 * user-scoped queries from anonymous callers) is forwarded untouched. Only Web-standard
 * APIs are used.
 */
export function createEdgeHandler(options: EdgeOptions): (request: Request, context?: EdgeContext) => Promise<Response> {
  const origin = options.origin.replace(/\/+$/, "");
  const prefix = (options.prefix ?? "/mizan").replace(/\/+$/, "");
  const fetchImpl = options.fetch ?? ((request: Request) => fetch(request));
  const cookieName = options.cookieName ?? DEFAULT_TOKEN_COOKIE;
  const defaultTtl = options.defaultTtlSeconds ?? 3600;
  const maxBatchCalls = options.maxBatchCalls ?? 50;
  let anonymousPk: Promise<string> | null = null;

  const cache = (): Cache => {
    if (options.cache !== undefined) return options.cache;
    const storage = (globalThis as { caches?: { default?: Cache } }).caches;
    if (storage?.default === undefined) throw new Error("no cache: pass options.cache outside Workers");
    return storage.default;
  };

  /** The table's policy of a cached query; `undefined` for anything else, or a rule it cannot read. */
  const policyOf = (fn: string): Policy | undefined => {
    const meta = functionMeta(options.functions ?? {}, fn);
    if (meta === undefined || meta.kind !== "query" || meta.cache.scope === "none") return undefined;
    const access = parseAccessRule(meta.access);
    return access === undefined ? undefined : { scope: meta.cache.scope, ttlSeconds: meta.cache.ttlSeconds, access };
  };

  const authenticate = async (request: Request): Promise<Caller | Response> => {
    const token = tokenOf(request, cookieName);
    if (token === null) return { claims: null };
    if (token === MALFORMED) return unauthenticated("malformed", "the Authorization header must be `Bearer <token>`");
    try {
      const verifyOptions =
        options.leeway === undefined ? { keys: options.keys } : { keys: options.keys, leeway: options.leeway };
      const claims = await verifyMwt(token, verifyOptions);
      // As the origin does: `pk` must be the permission key of `perms` before either is trusted.
      if (claims.perms !== undefined && (await derivePermissionKey(options.cacheSecret, claims.perms)) !== claims.pk) {
        return unauthenticated("invalid_claims", "the token's pk does not match its perms");
      }
      return { claims };
    } catch (error) {
      if (error instanceof MwtError) return unauthenticated(error.code, error.message);
      throw error;
    }
  };

  const whoFor = async (scope: CacheScope, caller: Caller): Promise<string | null> => {
    switch (scope) {
      case "public":
        return "";
      case "permission":
        if (caller.claims !== null) return caller.claims.pk;
        anonymousPk ??= derivePermissionKey(options.cacheSecret, []);
        return anonymousPk;
      case "user":
        return caller.claims?.sub ?? null;
    }
  };

  const keyUrl = async (fn: string, input: unknown, policy: Policy, caller: Caller, rev: number): Promise<string | null> => {
    const who = await whoFor(policy.scope, caller);
    if (who === null) return null;
    const key = await deriveCacheKey({ secret: options.cacheSecret, fn, input, scope: policy.scope, who, rev });
    return `https://mizan-edge.invalid/v1/${key}`;
  };

  /** The slot of a call, after the same access decision as the origin; `null` when the edge must not touch its cache. */
  const slotOf = async (fn: string, input: unknown, rev: number | null, caller: Caller): Promise<Slot | null> => {
    const policy = policyOf(fn);
    if (rev === null || policy === undefined) return null;
    if (checkAccess(policy.access, caller.claims) !== "allow") return null;
    const url = await keyUrl(fn, input, policy, caller, rev);
    return url === null ? null : { url, policy, rev };
  };

  /**
   * Whether the origin's answer may live in `slot`: computed at the requested revision and
   * cached by the origin under the table's scope (a stale table never widens who shares it).
   */
  const confirms = (slot: Slot, scope: unknown, rev: unknown): boolean => scope === slot.policy.scope && rev === slot.rev;

  const store = async (slot: Slot, entry: Response, context: EdgeContext | undefined): Promise<void> => {
    entry.headers.set("cache-control", `public, max-age=${slot.policy.ttlSeconds ?? defaultTtl}`);
    entry.headers.delete("set-cookie");
    const put = cache().put(slot.url, entry);
    if (context === undefined) await put;
    else context.waitUntil(put);
  };

  /** `GET /call/{fn}`: the steps of the doc comment above. */
  const single = async (request: Request, url: URL, fn: string, forward: () => Promise<Response>, context?: EdgeContext) => {
    const caller = await authenticate(request);
    if (caller instanceof Response) return caller;
    const revText = url.searchParams.get("rev");
    const rev = revText !== null && /^(0|[1-9][0-9]{0,15})$/.test(revText) ? knownRev(Number(revText)) : null;
    let input: unknown;
    try {
      input = parseJsonStrict(url.searchParams.get("input") ?? "null");
    } catch {
      return forward(); // the origin answers the precise error
    }
    const slot = await slotOf(fn, input, rev, caller);
    if (slot === null) return mark(await forward(), "bypass");
    const hit = await cache().match(slot.url);
    if (hit !== undefined) return served(hit, slot.policy.scope);

    const response = await forward();
    if (response.status !== 200) return mark(response, "miss");
    const body = await response.clone().text();
    if (!confirms(slot, response.headers.get("mizan-cache-scope"), revOf(body))) return mark(response, "miss");
    const entry = new Response(body, { status: 200, headers: response.headers });
    entry.headers.set("x-mizan-origin-cache-control", response.headers.get("cache-control") ?? "no-store");
    await store(slot, entry, context);
    return mark(response, "miss");
  };

  /**
   * The members of a batch or composition: each answered from its slot or, with the other
   * misses, by one `POST /batch` to the origin; the origin's own response when it is a
   * request-level failure, returned as it is.
   */
  const members = async (
    request: Request,
    calls: readonly MemberCall[],
    caller: Caller,
    context: EdgeContext | undefined,
  ): Promise<{ envelopes: Record<string, unknown>[]; reachedOrigin: boolean; cached: boolean } | Response> => {
    const slots = await Promise.all(calls.map((c) => slotOf(c.fn, c.input, c.rev, caller)));
    const envelopes: (Record<string, unknown> | undefined)[] = await Promise.all(
      slots.map(async (slot) => {
        const hit = slot === null ? undefined : await cache().match(slot.url);
        return hit === undefined ? undefined : { ...(JSON.parse(await hit.text()) as object), edge: "hit" };
      }),
    );
    const missing = calls.flatMap((call, i) => (envelopes[i] === undefined ? [i] : []));
    const cached = slots.some((slot) => slot !== null);
    if (missing.length === 0) return { envelopes: envelopes as Record<string, unknown>[], reachedOrigin: false, cached };

    const forwarded = missing.map((i) => calls[i] as MemberCall);
    const body = JSON.stringify({
      calls: forwarded.map(({ fn, input, rev }) => (rev === null ? { fn, input } : { fn, input, rev })),
    });
    const response = await fetchImpl(withBody(request, `${origin}/batch`, body));
    if (response.status !== 200) return mark(response, "bypass");
    const text = await response.text();
    const results = batchResults(JSON.parse(text), missing.length);
    if (results === null) return mark(new Response(text, response), "bypass");
    await Promise.all(
      missing.map(async (i, k) => {
        const member = results[k] as Record<string, unknown>;
        const slot = slots[i] ?? null;
        envelopes[i] = { ...member, edge: slot === null ? "bypass" : "miss" };
        if (slot === null || !Object.hasOwn(member, "data") || !confirms(slot, member["scope"], member["rev"])) return;
        const entry = new Response(JSON.stringify({ data: member["data"], rev: member["rev"] }), {
          status: 200,
          headers: { "content-type": "application/json", "mizan-rev": String(slot.rev), "mizan-cache-scope": slot.policy.scope },
        });
        await store(slot, entry, context);
      }),
    );
    return { envelopes: envelopes as Record<string, unknown>[], reachedOrigin: true, cached };
  };

  /** A batch or composition: strict JSON, then `members`, merged by `shape`; anything unexpected is forwarded untouched. */
  const group = async (
    request: Request,
    forwardText: (body: string) => Promise<Response>,
    callsOf: (body: unknown) => MemberCall[] | null,
    shape: (envelopes: Record<string, unknown>[]) => unknown,
    context: EdgeContext | undefined,
  ): Promise<Response> => {
    const caller = await authenticate(request);
    if (caller instanceof Response) return caller;
    const text = await request.text();
    let calls: MemberCall[] | null;
    try {
      calls = callsOf(text.trim() === "" ? undefined : parseJsonStrict(text));
    } catch {
      calls = null;
    }
    if (calls === null || calls.length === 0 || calls.length > maxBatchCalls) return mark(await forwardText(text), "bypass");
    const answered = await members(request, calls, caller, context);
    if (answered instanceof Response) return answered;
    const status = !answered.cached ? "bypass" : answered.reachedOrigin ? "miss" : "hit";
    return new Response(JSON.stringify(shape(answered.envelopes)), {
      status: 200,
      headers: { "content-type": "application/json", "cache-control": "no-store", [MIZAN_EDGE_HEADER]: status },
    });
  };

  return async (request, context) => {
    const url = new URL(request.url);
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) {
      return envelope(404, { code: "not_found", message: `no Mizan endpoint at ${url.pathname}`, fields: [] });
    }
    const target = `${origin}${url.pathname.slice(prefix.length)}${url.search}`;
    const forward = (): Promise<Response> => fetchImpl(new Request(target, request));
    const forwardText = (body: string): Promise<Response> => fetchImpl(withBody(request, target, body));
    const path = url.pathname.slice(prefix.length);
    const call = /^\/call\/([^/]+)$/.exec(path);
    if (request.method === "GET" && call !== null)
      return single(request, url, decodeURIComponent(call[1] as string), forward, context);
    if (request.method !== "POST") return forward();
    if (path === "/batch") return group(request, forwardText, batchCalls, (results) => ({ results }), context);
    const compose = /^\/compose\/([^/]+)$/.exec(path);
    const compositions = options.compositions ?? {};
    const name = compose === null ? "" : decodeURIComponent(compose[1] as string);
    if (compose === null || !Object.hasOwn(compositions, name)) return forward();
    const memberNames = compositions[name] as readonly string[];
    return group(
      request,
      forwardText,
      (body) => compositionCalls(body, memberNames),
      (envelopes) => ({ results: Object.fromEntries(memberNames.map((member, i) => [member, envelopes[i]])) }),
      context,
    );
  };
}

/** `request` to `url` with `body` in place of the one it was read from (so its own length). */
function withBody(request: Request, url: string, body: string): Request {
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  return new Request(url, { method: request.method, headers, body });
}

/** An `Authorization` header that is not a bearer credential. */
const MALFORMED = Symbol("malformed");

function tokenOf(request: Request, cookieName: string): string | typeof MALFORMED | null {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) return bearerToken(authorization) ?? MALFORMED;
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === cookieName) return value.join("=");
  }
  return null;
}

function revOf(body: string): number | undefined {
  try {
    const parsed = JSON.parse(body) as { rev?: unknown };
    return typeof parsed.rev === "number" ? parsed.rev : undefined;
  } catch {
    return undefined;
  }
}

/** A stored entry as the client sees it: the origin's own Cache-Control, marked a hit. */
function served(hit: Response, scope: CacheScope): Response {
  const response = new Response(hit.body, hit);
  const original = response.headers.get("x-mizan-origin-cache-control");
  response.headers.delete("x-mizan-origin-cache-control");
  response.headers.set("cache-control", scope === "public" ? (original ?? "public, no-cache") : "private, no-store");
  response.headers.delete("age");
  response.headers.set(MIZAN_EDGE_HEADER, "hit");
  return response;
}

function mark(response: Response, what: "miss" | "bypass"): Response {
  const marked = new Response(response.body, response);
  marked.headers.set(MIZAN_EDGE_HEADER, what);
  return marked;
}

function unauthenticated(reason: string, message: string): Response {
  return envelope(401, { code: "unauthenticated", message, fields: [], details: { reason } });
}

function envelope(status: number, error: Record<string, unknown>): Response {
  return new Response(JSON.stringify({ error }), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", [MIZAN_EDGE_HEADER]: "bypass" },
  });
}

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
 * Everything else (POST, batches, compositions, requests without `rev`, functions the
 * table does not name, user-scoped queries from anonymous callers) is forwarded untouched.
 * Only Web-standard APIs are used.
 */
export function createEdgeHandler(options: EdgeOptions): (request: Request, context?: EdgeContext) => Promise<Response> {
  const origin = options.origin.replace(/\/+$/, "");
  const prefix = (options.prefix ?? "/mizan").replace(/\/+$/, "");
  const fetchImpl = options.fetch ?? ((request: Request) => fetch(request));
  const cookieName = options.cookieName ?? DEFAULT_TOKEN_COOKIE;
  const defaultTtl = options.defaultTtlSeconds ?? 3600;
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

  return async (request, context) => {
    const url = new URL(request.url);
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) {
      return envelope(404, { code: "not_found", message: `no Mizan endpoint at ${url.pathname}`, fields: [] });
    }
    const forward = (): Promise<Response> =>
      fetchImpl(new Request(`${origin}${url.pathname.slice(prefix.length)}${url.search}`, request));
    const call = /^\/call\/([^/]+)$/.exec(url.pathname.slice(prefix.length));
    if (request.method !== "GET" || call === null) return forward();

    const caller = await authenticate(request);
    if (caller instanceof Response) return caller;
    const fn = decodeURIComponent(call[1] as string);
    const revText = url.searchParams.get("rev");
    const rev = revText !== null && /^(0|[1-9][0-9]{0,15})$/.test(revText) ? Number(revText) : null;
    let input: unknown;
    try {
      input = parseJsonStrict(url.searchParams.get("input") ?? "null");
    } catch {
      return forward(); // the origin answers the precise error
    }
    const policy = policyOf(fn);
    if (rev === null || policy === undefined || !Number.isSafeInteger(rev)) return mark(await forward(), "bypass");
    if (checkAccess(policy.access, caller.claims) !== "allow") return mark(await forward(), "bypass");
    const cacheUrl = await keyUrl(fn, input, policy, caller, rev);
    if (cacheUrl === null) return mark(await forward(), "bypass");
    const hit = await cache().match(cacheUrl);
    if (hit !== undefined) return served(hit, policy.scope);

    const response = await forward();
    if (response.status !== 200 || response.headers.get("mizan-cache-scope") !== policy.scope) return mark(response, "miss");
    const body = await response.clone().text();
    // Only an answer computed at the requested revision may live under that revision's key.
    if (revOf(body) !== rev) return mark(response, "miss");
    const entry = new Response(body, { status: 200, headers: response.headers });
    entry.headers.set("x-mizan-origin-cache-control", response.headers.get("cache-control") ?? "no-store");
    entry.headers.set("cache-control", `public, max-age=${policy.ttlSeconds ?? defaultTtl}`);
    entry.headers.delete("set-cookie");
    const put = cache().put(cacheUrl, entry);
    if (context === undefined) await put;
    else context.waitUntil(put);
    return mark(response, "miss");
  };
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

import { canonicalize } from "../core/canonical.js";
import { isRecord } from "../core/isRecord.js";
import { DEFAULT_CSRF_HEADER, LOGOUT_FUNCTION, REFRESH_FUNCTION, TOKEN_FUNCTION } from "../core/wireNames.js";
import { createBatchQueue, type PendingCall } from "./batchQueue.js";
import { decodeTokenClaims } from "./decodeTokenClaims.js";
import { functionMeta, functionsTaggedWith, type FunctionTable } from "./functionTable.js";
import { errorFromEnvelope, MizanError } from "./mizanError.js";
import { RevisionMap, type RevisionListener } from "./revisionMap.js";
import { memoryTokenStore, type TokenStore } from "./tokenStore.js";

/** The fetch the client uses: the global one, or any function of the same shape. */
export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

export interface MizanClientOptions {
  /** Where the Mizan router is mounted, e.g. `https://api.example.com/mizan`. */
  readonly baseUrl: string;
  /** The generated function table; unknown functions are called by POST and never GET. */
  readonly functions?: FunctionTable;
  /** The generated compositions (name → members): `compose` names each member's known `rev`. */
  readonly compositions?: Readonly<Record<string, readonly string[]>>;
  /** Defaults to the global `fetch`. Tests inject a counting or fake one. */
  readonly fetch?: FetchLike;
  /** Defaults to an in-memory store. */
  readonly tokens?: TokenStore;
  /**
   * Refresh the token (`mizan.refresh`) this many seconds before it expires, or at half
   * its lifetime when that is shorter (cookie sign-in). Default 60.
   */
  readonly refreshBeforeSeconds?: number;
  /** The clock, in Unix seconds. */
  readonly now?: () => number;
  /** Calls per `POST /batch`; the server's `max_batch_calls`, default 50. */
  readonly maxBatchSize?: number;
  /** How long calls are collected before a batch leaves. Default 0 (one tick). */
  readonly batchWindowMs?: number;
  /**
   * How cached queries are fetched by `query`: `"get"` (default: `GET /call/{name}` with
   * canonical input and the known `rev`, which browsers and CDNs may cache) or `"batch"`.
   */
  readonly queryMethod?: "get" | "batch";
  /**
   * Cookie sign-in: `"include"` (or `"same-origin"`) sends the server's `HttpOnly` token
   * cookie, which `login` makes the server set; the client keeps no token and POSTs carry
   * `csrfHeader`. It keeps the `session` the token functions answer instead, and renews
   * the cookie in the background before it expires (no request needed, so an idle page
   * stays signed in). Leave unset for bearer tokens kept by the client.
   */
  readonly credentials?: RequestCredentials;
  /** Header sent on every POST for cookie-authenticated servers. Default `x-mizan-csrf`. */
  readonly csrfHeader?: string;
  /** Extra headers for every request. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One member of a composition: its data, or its own error. */
export type Settled<T = unknown, E = unknown> =
  { readonly ok: true; readonly data: T; readonly rev?: number } | { readonly ok: false; readonly error: MizanError<E> };

/** What `mizan.token` and `mizan.refresh` answer. */
export interface IssuedToken {
  /** The bearer token; absent when the server signs in with a cookie. */
  readonly token?: string;
  readonly expires_at: number;
  readonly user_id: string;
}

/** Who signed in through this client, and until when (Unix seconds). */
export interface Session {
  readonly user_id: string;
  readonly expires_at: number;
}

/** The untyped client; `Credentials` is what `login` takes (generated: `MizanTokenInput`). */
export interface MizanClient<Credentials = unknown> {
  readonly baseUrl: string;
  readonly functions: FunctionTable;
  readonly tokens: TokenStore;
  /** Whether the token travels in the server's `HttpOnly` cookie (`credentials` was given). */
  readonly cookieSignIn: boolean;
  /**
   * The latest `login` or `refreshToken` answer's user and expiry; `null` before any, after
   * `logout` and after a refused refresh. With cookie sign-in it is all the page can know
   * of the sign-in (the cookie is out of its reach): `refreshToken()` on start tells
   * whether the browser still holds a valid cookie.
   */
  session(): Session | null;
  /** Listens for `session` changes (sign-in, each refresh, sign-out). Returns an unsubscribe. */
  onSessionChange(listener: (session: Session | null) => void): () => void;
  /** Calls `fn`; calls made in the same tick share one `POST /batch`. */
  call<O = unknown>(fn: string, input?: unknown): Promise<O>;
  /** Reads with a query: by GET with canonical input and `rev` when it is cached, else as `call`. */
  query<O = unknown>(fn: string, input?: unknown): Promise<O>;
  /** Runs a mutation; on success, learns the new revisions of the tags it invalidates. */
  mutate<O = unknown>(fn: string, input?: unknown): Promise<O>;
  /** Fetches a composition in one round trip; each member succeeds or fails on its own. */
  compose(name: string, inputs?: Readonly<Record<string, unknown>>): Promise<Record<string, Settled>>;
  /** The revision the client would send for `fn`. */
  revisionOf(fn: string): number | undefined;
  /**
   * Tells the client of new tag revisions (`{tag: n}`), e.g. from the live channel, and
   * resolves to the functions that went stale. Tags of those functions the client does not
   * know yet are asked for first (`GET /revisions`), so each refetch names its revision.
   */
  applyRevisions(revisions: Readonly<Record<string, number>>): Promise<ReadonlySet<string>>;
  /** `GET /revisions` for `tags` (default: every tag of the table), applied and returned. */
  refreshRevisions(tags?: Iterable<string>): Promise<Record<string, number>>;
  /** Listens for functions whose revision moved. Returns an unsubscribe. */
  onRevisionsChange(listener: RevisionListener): () => void;
  /** `mizan.token` with the application's credentials; stores the token (cookie sign-in: the server sets its cookie). */
  login(credentials: Credentials): Promise<IssuedToken>;
  /** `mizan.refresh` with the current token (or cookie); stores the new one. */
  refreshToken(): Promise<IssuedToken>;
  /** Forgets the token; with cookie sign-in, `mizan.logout` clears the cookie. */
  logout(): Promise<void>;
  /**
   * The token a request would carry now: refreshed first when it is about to expire,
   * `null` when there is none or it expired. The channel client authenticates with it on
   * every (re)connect.
   */
  currentToken(): Promise<string | null>;
}

/**
 * A Mizan client over `fetch` (`spec/PROTOCOL.md` §2). It batches calls made in the same
 * tick, sends cached queries as rev-aware GETs, keeps the token fresh and turns every
 * failure into a `MizanError`. Channel and form helpers build on `call`, `applyRevisions`
 * and `tokens`.
 *
 * ```ts
 * const client = createMizanClient({ baseUrl: "/mizan", functions });
 * const greeting = await client.query("greet", { name: "Ada" });
 * ```
 */
export function createMizanClient<Credentials = unknown>(options: MizanClientOptions): MizanClient<Credentials> {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const table = options.functions ?? {};
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const tokens = options.tokens ?? memoryTokenStore();
  const refreshBefore = options.refreshBeforeSeconds ?? 60;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const revisions = new RevisionMap(table);
  const csrfHeader = options.csrfHeader ?? DEFAULT_CSRF_HEADER;
  const cookieSignIn = options.credentials === "include" || options.credentials === "same-origin";
  let refreshing: Promise<IssuedToken> | null = null;
  let session: Session | null = null;
  const sessionListeners = new Set<(session: Session | null) => void>();
  /** Cookie sign-in: how long before the session's expiry it is renewed, and the timer that does. */
  let renewMargin = refreshBefore;
  let renewTimer: ReturnType<typeof setTimeout> | undefined;

  const setSession = (next: Session | null): void => {
    clearTimeout(renewTimer);
    renewTimer = undefined;
    session = next;
    if (next !== null && cookieSignIn) {
      // A lifetime shorter than `refreshBefore` would renew on every request: halve it instead.
      renewMargin = Math.min(refreshBefore, (next.expires_at - now()) / 2);
      const delayMs = Math.max(0, (next.expires_at - renewMargin - now()) * 1000);
      // setTimeout takes at most 2^31 - 1 ms; later than that, renewing early is harmless.
      renewTimer = setTimeout(() => void refreshToken().catch(() => undefined), Math.min(delayMs, 2_147_483_647));
      (renewTimer as { unref?: () => void }).unref?.();
    }
    for (const listener of [...sessionListeners]) listener(next);
  };

  const headers = (method: "GET" | "POST", token: string | null): Headers => {
    const result = new Headers(options.headers);
    result.set("accept", "application/json");
    if (method === "POST") {
      result.set("content-type", "application/json");
      if (cookieSignIn) result.set(csrfHeader, "1");
    }
    if (token !== null) result.set("authorization", `Bearer ${token}`);
    return result;
  };

  /** The token to send, refreshed first when it is about to expire. */
  const currentToken = async (): Promise<string | null> => {
    if (cookieSignIn) {
      // The timer renews in time; this covers a tab whose timers were paused (asleep).
      if (session !== null && session.expires_at - now() <= renewMargin) await refreshToken().catch(() => undefined);
      return null;
    }
    const token = tokens.get();
    if (token === null) return null;
    const claims = decodeTokenClaims(token);
    if (claims === null) return token; // not ours to judge: the server answers 401
    if (claims.exp - now() > refreshBefore) return token;
    if (claims.exp < now()) {
      // Sending an expired token fails the whole request; calls go anonymous instead.
      tokens.set(null);
      return null;
    }
    try {
      return (await refreshToken()).token ?? null;
    } catch {
      return tokens.get();
    }
  };

  /** One HTTP exchange; resolves to the parsed JSON body and the response. */
  const exchange = async (
    method: "GET" | "POST",
    path: string,
    body: unknown,
    token: string | null,
  ): Promise<{ response: Response; json: unknown }> => {
    const init: RequestInit = { method, headers: headers(method, token) };
    if (method === "POST") init.body = JSON.stringify(body ?? null);
    if (options.credentials !== undefined) init.credentials = options.credentials;
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, init);
    } catch (cause) {
      throw new MizanError({ code: "network_error", message: `${method} ${path} failed`, status: null, cause });
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch (cause) {
      throw new MizanError({
        code: "invalid_response",
        message: `${method} ${path} answered ${response.status} without JSON`,
        status: response.status,
        cause,
      });
    }
    return { response, json };
  };

  /** The data of a call envelope, recording its `rev`; throws its error. */
  const unwrap = (fn: string, envelope: unknown, status: number | null): unknown => {
    if (isRecord(envelope) && Object.hasOwn(envelope, "data") && !Object.hasOwn(envelope, "error")) {
      const rev = envelope["rev"];
      if (typeof rev === "number") revisions.observe(fn, rev);
      return envelope["data"];
    }
    throw errorFromEnvelope(envelope, status);
  };

  const send = async (calls: readonly PendingCall[]): Promise<void> => {
    const token = await currentToken();
    if (calls.length === 1) {
      const [only] = calls as [PendingCall];
      const { response, json } = await exchange("POST", `/call/${encodeURIComponent(only.fn)}`, only.input, token);
      observeHeader(only.fn, response);
      only.resolve({ status: response.status, envelope: json });
      return;
    }
    // Each call names the revision the client knows, as a GET does: an edge keys members by it.
    const body = {
      calls: calls.map(({ fn, input }) => {
        const rev = revisions.get(fn);
        return rev === undefined ? { fn, input: input ?? null } : { fn, input: input ?? null, rev };
      }),
    };
    const { response, json } = await exchange("POST", "/batch", body, token);
    const results = isRecord(json) ? json["results"] : undefined;
    if (!response.ok || !Array.isArray(results) || results.length !== calls.length) {
      throw errorFromEnvelope(json, response.status);
    }
    const envelopes: readonly unknown[] = results;
    calls.forEach((call, i) => call.resolve({ status: null, envelope: envelopes[i] }));
  };

  const observeHeader = (fn: string, response: Response): void => {
    const header = response.headers.get("mizan-rev");
    if (header !== null && /^\d+$/.test(header)) revisions.observe(fn, Number(header));
  };

  const enqueue = createBatchQueue({
    maxSize: options.maxBatchSize ?? 50,
    windowMs: options.batchWindowMs ?? 0,
    send,
  });

  const call = async <O>(fn: string, input?: unknown): Promise<O> => {
    const { status, envelope } = (await enqueue(fn, input ?? null)) as { status: number | null; envelope: unknown };
    return unwrap(fn, envelope, status) as O;
  };

  const query = async <O>(fn: string, input?: unknown): Promise<O> => {
    const meta = functionMeta(table, fn);
    if ((options.queryMethod ?? "get") === "batch" || meta?.kind !== "query" || meta.cache.scope === "none") {
      return call<O>(fn, input);
    }
    const params = new URLSearchParams({ input: canonicalize(input ?? null) });
    const rev = revisions.get(fn);
    if (rev !== undefined) params.set("rev", String(rev));
    const token = await currentToken();
    const { response, json } = await exchange("GET", `/call/${encodeURIComponent(fn)}?${params}`, undefined, token);
    observeHeader(fn, response);
    return unwrap(fn, json, response.status) as O;
  };

  /** `GET /revisions` for `tags`, without applying the answer. */
  const fetchRevisions = async (tags: readonly string[]): Promise<Record<string, number>> => {
    const result: Record<string, number> = {};
    // The server takes at most 256 tags per request.
    for (let start = 0; start < tags.length; start += 256) {
      const chunk = tags
        .slice(start, start + 256)
        .map(encodeURIComponent)
        .join(",");
      const { response, json } = await exchange("GET", `/revisions?tags=${chunk}`, undefined, await currentToken());
      const revs = isRecord(json) ? json["revisions"] : undefined;
      if (!response.ok || !isRecord(revs)) throw errorFromEnvelope(json, response.status);
      for (const [tag, rev] of Object.entries(revs)) if (typeof rev === "number") result[tag] = rev;
    }
    return result;
  };

  const refreshRevisions = async (tags?: Iterable<string>): Promise<Record<string, number>> => {
    const wanted = [...new Set(tags ?? Object.values(table).flatMap((meta) => meta.cache.tags))];
    if (wanted.length === 0) return {};
    const result = await fetchRevisions(wanted);
    revisions.apply(result);
    return result;
  };

  /**
   * `tags` and every tag of the functions they affect. A function's revision is the sum of
   * its tags' revisions, so it is known (and its next GET names it, which lets a CDN or the
   * edge keep the answer) only when all of those are.
   */
  const tagsAffectedBy = (tags: Iterable<string>): Set<string> => {
    const given = [...tags];
    const affected = functionsTaggedWith(table, given);
    return new Set([...given, ...[...affected].flatMap((name) => functionMeta(table, name)?.cache.tags ?? [])]);
  };

  const applyRevisions = async (pushed: Readonly<Record<string, number>>): Promise<ReadonlySet<string>> => {
    const known = revisions.tags();
    const missing = [...tagsAffectedBy(Object.keys(pushed))].filter((tag) => !Object.hasOwn(pushed, tag) && !known.has(tag));
    // Without the other tags, the stale functions would refetch without `rev`: uncacheable.
    const fetched = missing.length === 0 ? {} : await fetchRevisions(missing).catch(() => ({}));
    return revisions.apply({ ...fetched, ...pushed });
  };

  const mutate = async <O>(fn: string, input?: unknown): Promise<O> => {
    const data = await call<O>(fn, input);
    const invalidates = functionMeta(table, fn)?.invalidates ?? [];
    // The server purged these tags; without their new revisions our next GETs would name
    // the old `rev`, whose URLs a CDN may still hold.
    if (invalidates.length > 0) await refreshRevisions(tagsAffectedBy(invalidates)).catch(() => undefined);
    return data;
  };

  const compose = async (name: string, inputs?: Readonly<Record<string, unknown>>): Promise<Record<string, Settled>> => {
    const members = options.compositions?.[name] ?? Object.keys(inputs ?? {});
    const revs: Record<string, number> = {};
    for (const member of members) {
      const rev = revisions.get(member);
      if (rev !== undefined) revs[member] = rev;
    }
    const body = { ...(inputs === undefined ? {} : { inputs }), ...(Object.keys(revs).length > 0 ? { revs } : {}) };
    const { response, json } = await exchange("POST", `/compose/${encodeURIComponent(name)}`, body, await currentToken());
    const results = isRecord(json) ? json["results"] : undefined;
    if (!response.ok || !isRecord(results)) throw errorFromEnvelope(json, response.status);
    const settled: Record<string, Settled> = {};
    for (const [member, envelope] of Object.entries(results)) {
      try {
        const data = unwrap(member, envelope, null);
        const rev = isRecord(envelope) ? envelope["rev"] : undefined;
        settled[member] = typeof rev === "number" ? { ok: true, data, rev } : { ok: true, data };
      } catch (error) {
        settled[member] = { ok: false, error: error as MizanError };
      }
    }
    return settled;
  };

  const issued = (data: unknown): IssuedToken => {
    const token = isRecord(data) ? data["token"] : undefined;
    if (!isRecord(data) || (typeof token !== "string" && !cookieSignIn)) {
      throw new MizanError({ code: "invalid_response", message: "the token function answered no token", status: null });
    }
    if (typeof token === "string") tokens.set(token);
    const { user_id, expires_at } = data;
    if (typeof user_id === "string" && typeof expires_at === "number") setSession({ user_id, expires_at });
    return data as unknown as IssuedToken;
  };

  const login = async (credentials: Credentials): Promise<IssuedToken> => {
    // Never with the old token: an expired one would fail the login itself.
    const { response, json } = await exchange("POST", `/call/${TOKEN_FUNCTION}`, credentials, null);
    return issued(unwrap(TOKEN_FUNCTION, json, response.status));
  };

  const refreshToken = (): Promise<IssuedToken> => {
    refreshing ??= (async () => {
      try {
        const token = tokens.get();
        if (token === null && !cookieSignIn) throw new MizanError({ code: "unauthenticated", message: "no token to refresh" });
        const { response, json } = await exchange("POST", `/call/${REFRESH_FUNCTION}`, null, token);
        try {
          return issued(unwrap(REFRESH_FUNCTION, json, response.status));
        } catch (error) {
          if (error instanceof MizanError && error.code === "unauthenticated") {
            tokens.set(null);
            setSession(null);
          }
          throw error;
        }
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  const logout = async (): Promise<void> => {
    tokens.set(null);
    setSession(null);
    if (!cookieSignIn) return;
    const { response, json } = await exchange("POST", `/call/${LOGOUT_FUNCTION}`, null, null);
    unwrap(LOGOUT_FUNCTION, json, response.status);
  };

  return {
    baseUrl,
    functions: table,
    tokens,
    cookieSignIn,
    session: () => session,
    onSessionChange: (listener) => {
      sessionListeners.add(listener);
      return () => sessionListeners.delete(listener);
    },
    call,
    query,
    mutate,
    compose,
    revisionOf: (fn) => revisions.get(fn),
    applyRevisions,
    refreshRevisions,
    onRevisionsChange: (listener) => revisions.subscribe(listener),
    login,
    refreshToken,
    logout,
    currentToken,
  };
}

import { canonicalize } from "../core/canonical.js";
import type { FetchLike, MizanClient } from "../client/createMizanClient.js";
import { errorFromEnvelope, MizanError } from "../client/mizanError.js";
import { isRecord } from "../core/isRecord.js";
import { DEFAULT_CSRF_HEADER, REVISIONS_CHANNEL } from "../core/wireNames.js";
import {
  parseServerFrame,
  type ClientFrame,
  type FrameId,
  type PresenceMember,
  type ServerFrame,
  type StreamPosition,
} from "./frames.js";
import { reconnectDelay, type BackoffOptions } from "./reconnectDelay.js";
import { sseSocket } from "./sseSocket.js";

/**
 * Where the one connection stands: `connecting` (first attempt), `open` (authenticated,
 * subscriptions flowing), `reconnecting` (lost or failed; waiting out the backoff or
 * dialing again) and `closed` (idle until something needs it, or `close()`d).
 */
export type ConnectionStatus = "connecting" | "open" | "reconnecting" | "closed";

/**
 * What the client needs of a WebSocket: the browser's `WebSocket`, the `ws` package's, or
 * a test double. Listener parameters are methods so both DOM and `ws` types fit.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "error", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { readonly code: number; readonly reason: string }) => void): void;
}

/** A WebSocket constructor: `new WebSocket(url)`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/**
 * How the client reaches the server: `"websocket"`, `"sse"` (Server-Sent Events plus
 * `POST`, for networks that refuse WebSocket upgrades), or `"auto"`: a WebSocket, and SSE
 * when a WebSocket cannot connect (or there is no `WebSocket` at all).
 */
export type ChannelTransport = "auto" | "websocket" | "sse";

export interface ChannelClientOptions {
  /** The Mizan client: its `baseUrl` locates `/ws`, its token authenticates, its revisions get live updates. */
  readonly client: MizanClient;
  /** The WebSocket URL. Default: the client's `baseUrl` + `/ws`, with `http` → `ws`. */
  readonly url?: string;
  /** Default: the global `WebSocket` (browsers, Workers, Node ≥ 22). Node 20 passes the `ws` package's. */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * Subscribe the system channel `mizan_revisions` and feed it into the client's
   * `applyRevisions`, so a purge anywhere invalidates queries live; after a reconnect the
   * client asks `GET /revisions` for what it missed. Connects at once. Default false.
   */
  readonly liveRevisions?: boolean;
  /** Reconnect backoff. */
  readonly backoff?: BackoffOptions;
  /**
   * Every this many ms the client sends a `ping` frame; when nothing at all arrived by the
   * next one, the connection is taken for dead and replaced. Keeps the server's idle
   * timeout (60 s) from firing. Default 20 000.
   */
  readonly heartbeatMs?: number;
  /** For jitter; tests pin it. */
  readonly random?: () => number;
  /** Which transport to use. Default `"auto"`. */
  readonly transport?: ChannelTransport;
  /** The SSE stream's URL. Default: the client's `baseUrl` + `/sse`. */
  readonly sseUrl?: string;
  /** The fetch SSE uses. Default: the global `fetch`. */
  readonly fetch?: FetchLike;
  /**
   * For SSE with cookie sign-in: the stream's and the frames' credentials; they then carry
   * `csrfHeader` (default `x-mizan-csrf`), as the client's own calls do.
   */
  readonly credentials?: RequestCredentials;
  readonly csrfHeader?: string;
}

/** A live subscription: `ready` settles on the server's answer; `unsubscribe` is idempotent. */
export interface ChannelSubscription {
  /** Resolves with the topic's canonical params once subscribed; rejects with the server's `MizanError`. */
  readonly ready: Promise<unknown>;
  unsubscribe(): void;
}

export interface SubscribeOptions {
  /** The server refused the subscription (also when resubscribing after a reconnect); it is dropped. */
  readonly onError?: (error: MizanError) => void;
  /**
   * After a reconnect, on a channel with history (`spec/PROTOCOL.md` §3.7): `true` when the
   * messages missed while away were replayed (before any later one), `false` when they are
   * lost (history too short, or a new epoch) and what the subscription shows must be refetched.
   */
  readonly onRecover?: (recovered: boolean) => void;
  /**
   * On a channel with presence (`spec/PROTOCOL.md` §3.8): the topic's members, first once the
   * subscription is acked, then after every join and leave, and again (resynced by a presence
   * query) after every reconnect. With this option the client asks for and tracks them.
   */
  readonly onPresence?: (members: readonly PresenceMember[]) => void;
}

export interface ChannelClient {
  /** The current connection status. */
  readonly status: ConnectionStatus;
  /** Listens for status changes. Returns an unsubscribe. */
  onStatusChange(listener: (status: ConnectionStatus) => void): () => void;
  /**
   * Called after a reconnect, once every live subscription is subscribed again. On channels
   * without history delivery is at most once (`spec/PROTOCOL.md` §3.6): what was published
   * meanwhile is lost, so refetch what you show. Channels with history recover by
   * themselves and report it through `onRecover`.
   */
  onReconnect(listener: () => void): () => void;
  /** Error frames that belong to no request of ours (`id: null`), and refused `auth` frames. */
  onError(listener: (error: MizanError) => void): () => void;
  /** Subscribes `channel` with `params`; `onMessage` gets each publication's `data`. */
  subscribe<M = unknown>(
    channel: string,
    params: unknown,
    onMessage: (message: M) => void,
    options?: SubscribeOptions,
  ): ChannelSubscription;
  /** Sends `data` on a bidirectional channel; resolves on the server's `ack`. */
  send(channel: string, params: unknown, data: unknown): Promise<void>;
  /** Closes the connection for good: no reconnect, subscriptions dropped. */
  close(): void;
}

interface Listener {
  readonly onMessage: (message: unknown) => void;
  readonly onError: ((error: MizanError) => void) | undefined;
  readonly onRecover: ((recovered: boolean) => void) | undefined;
  readonly onPresence: ((members: readonly PresenceMember[]) => void) | undefined;
  readonly settle: { resolve(params: unknown): void; reject(error: MizanError): void };
}

/** A presence change, as join and leave frames carry it. */
interface PresenceChange {
  readonly type: "join" | "leave";
  readonly member: PresenceMember;
}

interface Topic {
  readonly channel: string;
  readonly params: unknown;
  readonly key: string;
  /** The key of the canonical params the server acked, which `message` frames carry. */
  serverKey: string | null;
  readonly listeners: Set<Listener>;
  /** Listeners still waiting for their first ack. */
  readonly waiting: Set<Listener>;
  /** On channels with history: the newest position received, sent as `since` on resubscribe. */
  position: StreamPosition | null;
  /** When a listener tracks presence: the members by client id, once a query answered. */
  members: Map<string, PresenceMember> | null;
  /** While a presence query is out: the changes that arrived meanwhile, applied on its answer. */
  changesDuringQuery: PresenceChange[] | null;
}

interface Pending {
  resolve(frame: ServerFrame): void;
}

const OPEN = 1;

const topicKey = (channel: string, params: unknown): string => `${channel}\n${canonicalize(params ?? null)}`;

/**
 * The client of Mizan channels (`spec/PROTOCOL.md` §3): one WebSocket, every subscription
 * multiplexed on it; or, where WebSockets cannot connect, the same frames over Server-Sent
 * Events plus `POST` (`transport`, §3.9).
 *
 * - Authenticates with an `auth` first frame carrying the client's current token (fresh on
 *   every reconnect; a new token is sent as it changes; logging out reconnects anonymous).
 * - Reconnects with exponential backoff and jitter on any close it did not ask for
 *   (`1000`, `4000` idle, `4008` slow consumer, a dead network), resubscribes every live
 *   topic, then tells `onReconnect` listeners so they refetch.
 * - On channels with history it tracks each topic's offset and epoch and resubscribes
 *   with `since`: the server replays what was missed (each subscription's `onRecover`
 *   hears `true`) or says it could not (`false`: refetch). A message it already has is
 *   never delivered twice.
 * - Error frames reject the request they answer as `MizanError`s.
 * - When the server ends a subscription because the token expired (`unsubscribed`), it
 *   authenticates with a fresh token and subscribes again from the last position.
 * - On channels with presence, a subscription with `onPresence` tracks the topic's members:
 *   a presence query after every ack (so after every reconnect), then each join and leave.
 *
 * ```ts
 * const channels = createChannelClient({ client, liveRevisions: true });
 * const sub = channels.subscribe("chat", { room: 1 }, (line) => console.log(line));
 * await channels.send("chat", { room: 1 }, "hello");
 * ```
 */
export function createChannelClient(options: ChannelClientOptions): ChannelClient {
  const { client } = options;
  const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  const heartbeatMs = options.heartbeatMs ?? 20_000;
  const url = options.url ?? webSocketUrl(client.baseUrl);
  const transport = options.transport ?? "auto";
  const sseOptions = {
    fetch: options.fetch ?? ((input: Request | string | URL, init?: RequestInit) => fetch(input, init)),
    headers: { [options.csrfHeader ?? DEFAULT_CSRF_HEADER]: "1" },
    credentials: options.credentials,
  };
  const sseUrl = options.sseUrl ?? new URL(`${client.baseUrl.replace(/\/+$/, "")}/sse`, pageUrl()).toString();
  /** In `auto`: a WebSocket could not connect, so SSE is tried (until it fails to connect too). */
  let overSse = transport === "sse" || (transport === "auto" && Socket === undefined);

  const topics = new Map<string, Topic>();
  const byServerKey = new Map<string, Topic>();
  const pending = new Map<FrameId, Pending>();
  const statusListeners = new Set<(status: ConnectionStatus) => void>();
  const reconnectListeners = new Set<() => void>();
  const errorListeners = new Set<(error: MizanError) => void>();
  /** Sends waiting for the connection to open. */
  const outbox: Array<() => void> = [];

  let status: ConnectionStatus = "closed";
  let socket: WebSocketLike | null = null;
  let ready = false;
  let everOpened = false;
  let attempt = 0;
  let nextId = 1;
  let disposed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  let heardSincePing = true;

  const setStatus = (next: ConnectionStatus): void => {
    if (next === status) return;
    status = next;
    for (const listener of [...statusListeners]) listener(next);
  };

  const emitError = (error: MizanError): void => {
    for (const listener of [...errorListeners]) listener(error);
  };

  const write = (frame: ClientFrame): void => {
    if (socket !== null && socket.readyState === OPEN) socket.send(JSON.stringify(frame));
  };

  /** Sends a frame with a fresh id and resolves with the server's answer to it. */
  const request = (frame: (id: FrameId) => ClientFrame): Promise<ServerFrame> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, { resolve });
      write(frame(id));
    });

  const needsConnection = (): boolean => topics.size > 0 || outbox.length > 0 || options.liveRevisions === true;

  const ensureConnected = (): void => {
    if (disposed || socket !== null || retryTimer !== undefined) return;
    connect();
  };

  const connect = (): void => {
    retryTimer = undefined;
    if (!overSse && Socket === undefined) {
      throw new MizanError({
        code: "network_error",
        message: "no WebSocket: pass `WebSocket` (e.g. from the `ws` package) to the channel client",
        status: null,
      });
    }
    setStatus(everOpened || attempt > 0 ? "reconnecting" : "connecting");
    const sse = overSse || Socket === undefined;
    const current = sse ? sseSocket(sseUrl, sseOptions) : new Socket(url);
    socket = current;
    let opened = false;
    current.addEventListener("open", () => {
      opened = true;
      if (socket === current) void onOpen(current);
    });
    current.addEventListener("message", (event) => {
      if (socket === current && typeof event.data === "string") onFrame(event.data);
    });
    current.addEventListener("close", () => {
      if (socket !== current) return;
      // In `auto`, a transport that never opened hands over to the other one, at once
      // when SSE is next (the upgrade was refused), after the backoff when it is the socket.
      if (transport === "auto" && !opened && Socket !== undefined) {
        overSse = !sse;
        if (overSse) return lost(0);
      }
      lost();
    });
    current.addEventListener("error", () => {
      // A `close` event follows; nothing to do twice.
    });
  };

  const onOpen = async (current: WebSocketLike): Promise<void> => {
    heardSincePing = true;
    heartbeatTimer = setInterval(heartbeat, heartbeatMs);
    const token = await client.currentToken().catch(() => null);
    if (socket !== current) return;
    if (token !== null) await authenticate(token);
    if (socket !== current) return;
    const reconnected = everOpened;
    ready = true;
    everOpened = true;
    attempt = 0;
    setStatus("open");
    const resubscribed = [...topics.values()].map(subscribeTopic);
    for (const flush of outbox.splice(0)) flush();
    await Promise.all(resubscribed);
    if (!reconnected || socket !== current) return;
    if (options.liveRevisions === true) void client.refreshRevisions().catch(() => undefined);
    for (const listener of [...reconnectListeners]) listener();
  };

  const authenticate = async (token: string): Promise<void> => {
    const answer = await request((id) => ({ type: "auth", id, token }));
    if (answer.type === "error" && answer.error !== LOST) emitError(errorFromEnvelope({ error: answer.error }, null));
  };

  const heartbeat = (): void => {
    if (!heardSincePing) {
      // Nothing, not even a pong, for a whole interval: the network is gone without a close.
      replaceSocket();
      return;
    }
    heardSincePing = false;
    write({ type: "ping", id: `ping-${nextId++}` });
  };

  /** Drops the current socket (it may never report its close) and dials again. */
  const replaceSocket = (): void => {
    const old = socket;
    lost();
    try {
      old?.close(1000, "replaced");
    } catch {
      // already closing
    }
  };

  /** The socket is gone: fail what waited on it, then reconnect (after `delayMs`, default the backoff) unless we are done. */
  const lost = (delayMs?: number): void => {
    socket = null;
    ready = false;
    clearInterval(heartbeatTimer);
    heartbeatTimer = undefined;
    byServerKey.clear();
    for (const topic of topics.values()) topic.serverKey = null;
    const waiting = [...pending.values()];
    pending.clear();
    // A send's answer will never come: it may or may not have been delivered.
    for (const entry of waiting) entry.resolve({ type: "error", id: null, error: LOST });
    if (disposed) return setStatus("closed");
    if (!needsConnection()) {
      attempt = 0;
      return setStatus("closed");
    }
    setStatus("reconnecting");
    const delay = delayMs ?? reconnectDelay(attempt++, options.backoff, options.random);
    retryTimer = setTimeout(connect, delay);
  };

  const onFrame = (text: string): void => {
    heardSincePing = true;
    const frame = parseServerFrame(text);
    if (frame === null) return;
    if (frame.type === "message") {
      const key = topicKey(frame.channel, frame.params);
      const topic = byServerKey.get(key) ?? topics.get(key);
      if (topic === undefined) return;
      if (frame.offset !== undefined && topic.position !== null) {
        if (frame.offset <= topic.position.offset) return; // had it already
        topic.position = { offset: frame.offset, epoch: topic.position.epoch };
      }
      for (const listener of [...topic.listeners]) listener.onMessage(frame.data);
      return;
    }
    if (frame.type === "join" || frame.type === "leave") {
      const topic = byServerKey.get(topicKey(frame.channel, frame.params)) ?? topics.get(topicKey(frame.channel, frame.params));
      if (topic === undefined) return;
      if (topic.changesDuringQuery !== null) topic.changesDuringQuery.push(frame);
      else if (topic.members !== null) {
        applyChange(topic.members, frame);
        notifyPresence(topic);
      }
      return;
    }
    if (frame.type === "unsubscribed") {
      const topic = byServerKey.get(topicKey(frame.channel, frame.params));
      if (topic !== undefined) void resubscribeAfter(topic, errorFromEnvelope({ error: frame.error }, null));
      return;
    }
    const entry = frame.id === null ? undefined : pending.get(frame.id);
    if (entry !== undefined && frame.id !== null) {
      pending.delete(frame.id);
      entry.resolve(frame);
    } else if (frame.type === "error") {
      emitError(errorFromEnvelope({ error: frame.error }, null));
    }
  };

  const subscribeTopic = async (topic: Topic): Promise<void> => {
    const since = topic.position;
    const answer = await request((id) => ({
      type: "subscribe",
      id,
      channel: topic.channel,
      params: topic.params,
      ...(since === null ? {} : { since }),
    }));
    if (topics.get(topic.key) !== topic) return;
    if (answer.type === "ack") {
      // Recovered: the replayed messages follow and move the position on; otherwise the
      // stream continues from the ack's position.
      if (answer.recovered !== true) topic.position = answer.position ?? null;
      if (answer.recovered !== undefined) {
        for (const listener of [...topic.listeners]) listener.onRecover?.(answer.recovered);
      }
      const serverKey = topicKey(topic.channel, answer.params ?? topic.params);
      topic.serverKey = serverKey;
      byServerKey.set(serverKey, topic);
      const canonical = answer.params ?? topic.params;
      for (const listener of topic.waiting) listener.settle.resolve(canonical);
      topic.waiting.clear();
      if (tracksPresence(topic)) void queryPresence(topic);
      return;
    }
    if (answer.type === "error" && answer.error === LOST) return; // resubscribed on reconnect
    const error = answer.type === "error" ? errorFromEnvelope({ error: answer.error }, null) : unexpected(answer);
    topics.delete(topic.key);
    for (const listener of topic.listeners) {
      listener.settle.reject(error);
      listener.onError?.(error);
    }
  };

  /**
   * Asks who is on the topic (after every ack, so also after a reconnect): the answer
   * replaces the members, then the changes that arrived while it was out are applied.
   */
  const queryPresence = async (topic: Topic): Promise<void> => {
    if (topic.changesDuringQuery !== null) return; // one is out; it answers for everyone
    topic.changesDuringQuery = [];
    const answer = await request((id) => ({ type: "presence", id, channel: topic.channel, params: topic.params }));
    const changes = topic.changesDuringQuery;
    topic.changesDuringQuery = null;
    if (topics.get(topic.key) !== topic) return;
    if (answer.type === "presence") {
      const members = new Map(answer.members.map((member) => [member.client, member]));
      for (const change of changes) applyChange(members, change);
      topic.members = members;
      notifyPresence(topic);
      return;
    }
    if (answer.type === "error" && answer.error === LOST) return; // asked again on reconnect
    const error = answer.type === "error" ? errorFromEnvelope({ error: answer.error }, null) : unexpected(answer);
    for (const listener of topic.listeners) if (listener.onPresence !== undefined) listener.onError?.(error);
  };

  /**
   * The server ended the subscription because the token expired: authenticate with a
   * fresh one and subscribe again from the last position (recovering what was missed on
   * channels with history). Without a token the subscription is dropped with `error`.
   */
  const resubscribeAfter = async (topic: Topic, error: MizanError): Promise<void> => {
    if (topic.serverKey !== null) byServerKey.delete(topic.serverKey);
    topic.serverKey = null;
    const token = await client.currentToken().catch(() => null);
    if (topics.get(topic.key) !== topic || !ready) return; // gone, or a reconnect resubscribes
    if (token === null && client.cookieSignIn && client.session() !== null) {
      // The connection's identity came from the old cookie; a new handshake carries the renewed one.
      replaceSocket();
      return;
    }
    if (token === null) {
      topics.delete(topic.key);
      for (const listener of topic.listeners) listener.onError?.(error);
      return;
    }
    await authenticate(token);
    if (topics.get(topic.key) === topic && ready) await subscribeTopic(topic);
  };

  const subscribe = <M>(
    channel: string,
    params: unknown,
    onMessage: (message: M) => void,
    subscribeOptions: SubscribeOptions = {},
  ): ChannelSubscription => {
    const normalized = params ?? null;
    const key = topicKey(channel, normalized);
    let settle!: Listener["settle"];
    const readyPromise = new Promise<unknown>((resolve, reject) => (settle = { resolve, reject }));
    readyPromise.catch(() => undefined); // reported through `ready` and `onError`; never unhandled
    const listener: Listener = {
      onMessage: onMessage as (message: unknown) => void,
      onError: subscribeOptions.onError,
      onRecover: subscribeOptions.onRecover,
      onPresence: subscribeOptions.onPresence,
      settle,
    };
    let topic = topics.get(key);
    if (topic === undefined) {
      topic = {
        channel,
        params: normalized,
        key,
        serverKey: null,
        listeners: new Set(),
        waiting: new Set(),
        position: null,
        members: null,
        changesDuringQuery: null,
      };
      topics.set(key, topic);
      topic.listeners.add(listener);
      topic.waiting.add(listener);
      if (ready) void subscribeTopic(topic);
      else ensureConnected();
    } else {
      topic.listeners.add(listener);
      if (topic.serverKey !== null) settle.resolve(canonicalParams(topic));
      else topic.waiting.add(listener);
      if (listener.onPresence !== undefined && topic.serverKey !== null) {
        if (topic.members === null) void queryPresence(topic);
        else listener.onPresence([...topic.members.values()]);
      }
    }
    const subscribed = topic;
    let done = false;
    return {
      ready: readyPromise,
      unsubscribe() {
        if (done) return;
        done = true;
        subscribed.listeners.delete(listener);
        subscribed.waiting.delete(listener);
        if (subscribed.listeners.size > 0 || topics.get(key) !== subscribed) return;
        topics.delete(key);
        if (subscribed.serverKey !== null) byServerKey.delete(subscribed.serverKey);
        if (ready) void request((id) => ({ type: "unsubscribe", id, channel, params: normalized }));
      },
    };
  };

  const send = (channel: string, params: unknown, data: unknown): Promise<void> =>
    new Promise<ServerFrame>((resolve) => {
      const go = () => void request((id) => ({ type: "send", id, channel, params: params ?? null, data })).then(resolve);
      if (ready) go();
      else {
        outbox.push(go);
        ensureConnected();
      }
    }).then((answer) => {
      if (answer.type === "ack") return;
      if (answer.type === "error" && answer.error === LOST) {
        throw new MizanError({
          code: "network_error",
          message: `the connection closed before ${channel} acknowledged the message`,
          status: null,
        });
      }
      throw answer.type === "error" ? errorFromEnvelope({ error: answer.error }, null) : unexpected(answer);
    });

  const unsubscribeTokens = client.tokens.subscribe((token) => {
    if (!ready) return; // the next connect authenticates with it
    if (token !== null) void authenticate(token);
    else replaceSocket(); // an `auth` frame cannot make a connection anonymous again
  });
  // With cookie sign-in the handshake is the only way to tell the server who signs in or
  // out: connect again when the user changes (a refresh keeps the user, and the connection).
  let sessionUser = client.session()?.user_id ?? null;
  const unsubscribeSession = client.onSessionChange((session) => {
    const user = session?.user_id ?? null;
    if (!client.cookieSignIn || user === sessionUser) return;
    sessionUser = user;
    if (socket !== null) replaceSocket();
  });

  if (options.liveRevisions === true) {
    subscribe<unknown>(REVISIONS_CHANNEL, null, (message) => {
      const revisions = isRecord(message) ? message["revisions"] : undefined;
      if (!isRecord(revisions)) return;
      const numeric: Record<string, number> = {};
      for (const [tag, rev] of Object.entries(revisions)) if (typeof rev === "number") numeric[tag] = rev;
      void client.applyRevisions(numeric);
    });
  }

  return {
    get status() {
      return status;
    },
    onStatusChange(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    onError(listener) {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },
    subscribe,
    send,
    close() {
      if (disposed) return;
      disposed = true;
      unsubscribeTokens();
      unsubscribeSession();
      clearTimeout(retryTimer);
      retryTimer = undefined;
      topics.clear();
      outbox.length = 0;
      const old = socket;
      if (old === null) setStatus("closed");
      else {
        lost();
        old.close(1000, "closed by the client");
      }
    },
  };
}

function tracksPresence(topic: Topic): boolean {
  for (const listener of topic.listeners) if (listener.onPresence !== undefined) return true;
  return false;
}

function applyChange(members: Map<string, PresenceMember>, change: PresenceChange): void {
  if (change.type === "join") members.set(change.member.client, change.member);
  else members.delete(change.member.client);
}

function notifyPresence(topic: Topic): void {
  if (topic.members === null) return;
  const members = [...topic.members.values()];
  for (const listener of [...topic.listeners]) listener.onPresence?.(members);
}

/** The marker answer of requests whose connection went away. */
const LOST: unique symbol = Symbol("connection lost");

function canonicalParams(topic: Topic): unknown {
  return topic.serverKey === null ? topic.params : JSON.parse(topic.serverKey.slice(topic.channel.length + 1));
}

function unexpected(frame: ServerFrame): MizanError {
  return new MizanError({ code: "invalid_response", message: `unexpected ${frame.type} frame`, status: null });
}

function pageUrl(): string | undefined {
  return (globalThis as { location?: { href: string } }).location?.href;
}

/** `http://host/mizan` → `ws://host/mizan/ws`; a relative base resolves against the page. */
export function webSocketUrl(baseUrl: string): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, "")}/ws`, pageUrl());
  url.protocol = url.protocol === "https:" ? "wss:" : url.protocol === "http:" ? "ws:" : url.protocol;
  return url.toString();
}

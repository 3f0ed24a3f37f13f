import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMizanClient } from "../client/createMizanClient.js";
import { memoryTokenStore } from "../client/tokenStore.js";
import { createChannelClient, type ChannelClientOptions, type WebSocketLike } from "./createChannelClient.js";

// The channel client over a scripted socket: what it writes, in which order, and how it
// reacts to answers, silence and closes. The real server is exercised in test/channels.hello.

type SocketEvent = { readonly data: unknown; readonly code: number; readonly reason: string };
type Handler = (event: SocketEvent) => void;

class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  readonly sent: Array<Record<string, unknown>> = [];
  readonly #handlers = new Map<string, Handler[]>();
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  addEventListener(type: string, listener: Handler): void {
    this.#handlers.set(type, [...(this.#handlers.get(type) ?? []), listener]);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code = 1000, reason = ""): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.emit("close", { code, reason });
  }
  emit(type: string, event: Partial<SocketEvent> = {}): void {
    for (const handler of this.#handlers.get(type) ?? []) handler({ data: null, code: 0, reason: "", ...event });
  }
  open(): void {
    this.readyState = 1;
    this.emit("open");
  }
  answer(frame: object): void {
    this.emit("message", { data: JSON.stringify(frame) });
  }
  /** Acks every request sent so far that has not been answered. */
  ackAll(answered = new Set<unknown>()): void {
    for (const frame of this.sent) {
      if (frame["type"] === "ping" || answered.has(frame["id"])) continue;
      answered.add(frame["id"]);
      this.answer(
        frame["type"] === "subscribe"
          ? { type: "ack", id: frame["id"], channel: frame["channel"], params: frame["params"] }
          : { type: "ack", id: frame["id"] },
      );
    }
  }
}

const flush = () => vi.advanceTimersByTimeAsync(0);

/**
 * The scripted socket alone: in `auto` a socket that never opens hands over to SSE, whose
 * fetch would leave the fake clock (the auto test below scripts it). No jitter.
 */
const scripted = {
  WebSocket: FakeSocket,
  transport: "websocket",
  backoff: { initialMs: 100, maxMs: 1000 },
  random: () => 1,
} as const;

function setup(token: string | null = null, options: Partial<ChannelClientOptions> = {}) {
  const tokens = memoryTokenStore(token);
  const client = createMizanClient({
    baseUrl: "https://api.example.com/mizan",
    tokens,
    fetch: () => Promise.reject(new Error("no HTTP here")),
  });
  const channels = createChannelClient({ client, ...scripted, ...options });
  return { tokens, channels };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
});
afterEach(() => vi.useRealTimers());

describe("createChannelClient", () => {
  it("dials baseUrl/ws lazily and authenticates before subscribing", async () => {
    const { channels } = setup("opaque.token");
    expect(FakeSocket.all).toHaveLength(0);
    channels.subscribe("chat", { room: 1 }, () => undefined);
    expect(FakeSocket.all.map((s) => s.url)).toEqual(["wss://api.example.com/mizan/ws"]);
    const socket = FakeSocket.all[0]!;
    socket.open();
    await flush();
    expect(socket.sent).toEqual([{ type: "auth", id: 1, token: "opaque.token" }]);
    socket.ackAll();
    await flush();
    expect(socket.sent[1]).toEqual({ type: "subscribe", id: 2, channel: "chat", params: { room: 1 } });
    expect(channels.status).toBe("open");
  });

  it("routes messages by the canonical params the server acked, and shares one topic", async () => {
    const { channels } = setup();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const first = channels.subscribe("feed", { b: 2, a: 1 }, (m) => a.push(m));
    channels.subscribe("feed", { a: 1, b: 2 }, (m) => b.push(m));
    const socket = FakeSocket.all[0]!;
    socket.open();
    await flush();
    expect(socket.sent.filter((f) => f["type"] === "subscribe")).toHaveLength(1);
    socket.answer({ type: "ack", id: 1, channel: "feed", params: { a: 1, b: 2, page: 0 } }); // a default filled in
    await expect(first.ready).resolves.toEqual({ a: 1, b: 2, page: 0 });
    socket.answer({ type: "message", channel: "feed", params: { page: 0, b: 2, a: 1 }, data: "x" });
    socket.answer({ type: "message", channel: "feed", params: { a: 9 }, data: "not ours" });
    expect([a, b]).toEqual([["x"], ["x"]]);
    first.unsubscribe();
    expect(socket.sent.some((f) => f["type"] === "unsubscribe")).toBe(false); // b still listens
  });

  it("rejects a refused subscription and a refused send with MizanErrors", async () => {
    const { channels } = setup();
    const sub = channels.subscribe("secret", null, () => undefined);
    const socket = FakeSocket.all[0]!;
    socket.open();
    await flush();
    socket.answer({ type: "error", id: 1, error: { code: "forbidden", message: "no", fields: [] } });
    await expect(sub.ready).rejects.toMatchObject({ name: "MizanError", code: "forbidden", status: 403 });
    const sent = channels.send("chat", { room: 1 }, "");
    await flush();
    socket.answer({
      type: "error",
      id: 2,
      error: { code: "validation_failed", message: "empty", fields: [{ path: "", code: "length", message: "empty" }] },
    });
    await expect(sent).rejects.toMatchObject({
      code: "validation_failed",
      fields: [{ path: "", code: "length", message: "empty" }],
    });
  });

  it("reconnects with growing backoff, resubscribes, then tells onReconnect", async () => {
    const { channels } = setup();
    let reconnected = 0;
    channels.onReconnect(() => reconnected++);
    channels.subscribe("chat", { room: 1 }, () => undefined);
    FakeSocket.all[0]!.open();
    await flush();
    FakeSocket.all[0]!.ackAll();
    await flush();

    FakeSocket.all[0]!.close(4008, "slow consumer");
    expect(channels.status).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(99);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.close(1006); // the attempt fails: the next wait doubles
    await vi.advanceTimersByTimeAsync(199);
    expect(FakeSocket.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    const third = FakeSocket.all[2]!;
    third.open();
    await flush();
    expect(third.sent).toEqual([{ type: "subscribe", id: 2, channel: "chat", params: { room: 1 } }]);
    expect(reconnected).toBe(0);
    third.ackAll();
    await flush();
    expect(reconnected).toBe(1);
    expect(channels.status).toBe("open");
  });

  it("in auto, hands a socket that never opened over to SSE at once, and back after the backoff", async () => {
    const streams: string[] = [];
    const { channels } = setup(null, {
      transport: "auto",
      fetch: (input) => {
        streams.push(input instanceof Request ? input.url : input.toString());
        return Promise.reject(new TypeError("refused"));
      },
    });
    channels.subscribe("chat", { room: 1 }, () => undefined);
    FakeSocket.all[0]!.close(1006); // the upgrade was refused
    await flush();
    expect(streams).toEqual(["https://api.example.com/mizan/sse"]);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(99); // the stream failed too: the socket again, after the backoff
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(2);
    channels.close();
  });

  it("resubscribes from the last offset, reports recovery and never delivers a message twice", async () => {
    const { channels } = setup();
    const got: unknown[] = [];
    const recoveries: boolean[] = [];
    channels.subscribe("feed", null, (message) => got.push(message), { onRecover: (r) => recoveries.push(r) });
    const first = FakeSocket.all[0]!;
    first.open();
    await flush();
    first.answer({ type: "ack", id: 1, channel: "feed", params: null, offset: 4, epoch: "e1" });
    await flush(); // a real socket hands over each frame in its own task
    for (const offset of [5, 6]) first.answer({ type: "message", channel: "feed", params: null, data: offset, offset });
    first.close(1006);
    await vi.advanceTimersByTimeAsync(100);

    const second = FakeSocket.all[1]!;
    second.open();
    await flush();
    expect(second.sent).toEqual([{ type: "subscribe", id: 2, channel: "feed", params: null, since: { offset: 6, epoch: "e1" } }]);
    second.answer({ type: "ack", id: 2, channel: "feed", params: null, offset: 8, epoch: "e1", recovered: true });
    await flush();
    // The replay, then a live message the server's fan-out delivered once more.
    for (const offset of [7, 8, 8, 9]) second.answer({ type: "message", channel: "feed", params: null, data: offset, offset });
    await flush();
    expect(got).toEqual([5, 6, 7, 8, 9]);
    expect(recoveries).toEqual([true]);

    // A lost history: the stream goes on from the ack's position.
    second.close(1006);
    await vi.advanceTimersByTimeAsync(100);
    const third = FakeSocket.all[2]!;
    third.open();
    await flush();
    expect(third.sent.at(-1)?.["since"]).toEqual({ offset: 9, epoch: "e1" });
    third.answer({ type: "ack", id: 3, channel: "feed", params: null, offset: 2, epoch: "e2", recovered: false });
    await flush();
    third.answer({ type: "message", channel: "feed", params: null, data: "new", offset: 3 });
    await flush();
    expect(recoveries).toEqual([true, false]);
    expect(got.at(-1)).toBe("new");
  });

  it("re-authenticates and resubscribes from its position when the server ends a subscription", async () => {
    const { channels, tokens } = setup("first.token");
    const got: unknown[] = [];
    channels.subscribe("feed", null, (message) => got.push(message));
    const socket = FakeSocket.all[0]!;
    socket.open();
    await flush();
    socket.answer({ type: "ack", id: 1 });
    await flush();
    socket.answer({ type: "ack", id: 2, channel: "feed", params: null, offset: 3, epoch: "e" });
    await flush();
    socket.answer({ type: "message", channel: "feed", params: null, data: "four", offset: 4 });
    await flush();
    tokens.set("fresh.token");
    await flush();
    const error = { code: "unauthenticated", message: "expired", fields: [], details: { reason: "expired" } };
    socket.answer({ type: "unsubscribed", channel: "feed", params: null, error });
    await flush();
    expect(socket.sent.slice(-2)).toEqual([
      { type: "auth", id: 3, token: "fresh.token" },
      { type: "auth", id: 4, token: "fresh.token" },
    ]);
    socket.ackAll(new Set([1, 2, 3]));
    await flush();
    expect(socket.sent.at(-1)).toEqual({
      type: "subscribe",
      id: 5,
      channel: "feed",
      params: null,
      since: { offset: 4, epoch: "e" },
    });
    expect(FakeSocket.all).toHaveLength(1);
    expect(got).toEqual(["four"]);
  });

  it("replaces a connection that stays silent for a heartbeat interval", async () => {
    const { channels } = setup(null, { heartbeatMs: 1000 });
    channels.subscribe("chat", { room: 1 }, () => undefined);
    const socket = FakeSocket.all[0]!;
    socket.open();
    await flush();
    socket.ackAll();
    await vi.advanceTimersByTimeAsync(1000);
    const ping = socket.sent.at(-1)!;
    expect(ping["type"]).toBe("ping");
    socket.answer({ type: "pong", id: ping["id"] });
    await vi.advanceTimersByTimeAsync(1000); // heard the pong: ping again
    expect(socket.sent.filter((f) => f["type"] === "ping")).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000); // silence
    expect(socket.readyState).toBe(3);
    expect(channels.status).toBe("reconnecting");
  });

  it("sends a new token as an auth frame, and reconnects anonymous on logout", async () => {
    const { channels, tokens } = setup("first");
    channels.subscribe("chat", { room: 1 }, () => undefined);
    const socket = FakeSocket.all[0]!;
    socket.open();
    await flush();
    socket.ackAll();
    await flush();
    socket.ackAll();
    tokens.set("second");
    expect(socket.sent.at(-1)).toMatchObject({ type: "auth", token: "second" });
    tokens.set(null);
    expect(socket.readyState).toBe(3);
    await vi.advanceTimersByTimeAsync(100);
    const next = FakeSocket.all[1]!;
    next.open();
    await flush();
    expect(next.sent.map((f) => f["type"])).toEqual(["subscribe"]);
  });

  it("close() ends it for good", async () => {
    const { channels } = setup();
    const statuses: string[] = [];
    channels.onStatusChange((s) => statuses.push(s));
    channels.subscribe("chat", { room: 1 }, () => undefined);
    FakeSocket.all[0]!.open();
    await flush();
    channels.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(statuses).toEqual(["connecting", "open", "closed"]);
  });

  it("presence: changes that arrive while the query is out are applied on its answer", async () => {
    const { channels } = setup();
    const seen: string[][] = [];
    const member = (client: string) => ({ client, user: client, claims: {} });
    channels.subscribe("room", { room: 1 }, () => undefined, {
      onPresence: (members) => seen.push(members.map((m) => m.client).sort()),
    });
    const socket = FakeSocket.all[0]!;
    socket.open();
    await flush();
    socket.ackAll();
    await flush();
    const query = socket.sent.at(-1)!;
    expect(query).toMatchObject({ type: "presence", channel: "room", params: { room: 1 } });
    // While it is out: b leaves (the answer, read before, still lists it) and c joins.
    const topic = { channel: "room", params: { room: 1 } };
    socket.answer({ type: "leave", ...topic, member: member("b") });
    socket.answer({ type: "join", ...topic, member: member("c") });
    expect(seen).toEqual([]);
    socket.answer({ type: "presence", id: query["id"], ...topic, members: [member("a"), member("b")] });
    await flush();
    socket.answer({ type: "leave", ...topic, member: member("a") });
    expect(seen).toEqual([["a", "c"], ["c"]]);
  });
});

describe("createChannelClient with cookie sign-in", () => {
  /** A cookie-mode client whose token functions answer sessions for `user()`. */
  function cookieSetup(user: () => string) {
    const client = createMizanClient({
      baseUrl: "https://app.example.com/mizan",
      credentials: "same-origin",
      fetch: (input) => {
        const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
        const data = url.endsWith("/mizan.logout") ? null : { user_id: user(), expires_at: Math.floor(Date.now() / 1000) + 600 };
        return Promise.resolve(new Response(JSON.stringify({ data }), { headers: { "content-type": "application/json" } }));
      },
    });
    const channels = createChannelClient({ client, ...scripted });
    return { client, channels };
  }

  it("connects again when the session's user changes, not on a refresh", async () => {
    let user = "ada";
    const { client, channels } = cookieSetup(() => user);
    channels.subscribe("chat", { room: 1 }, () => undefined);
    FakeSocket.all[0]!.open();
    await flush();
    FakeSocket.all[0]!.ackAll();
    await flush();
    expect(FakeSocket.all[0]!.sent.map((f) => f["type"])).toEqual(["subscribe"]); // no auth frame: the cookie

    await client.login({ user: "ada" }); // anonymous until now: the handshake must carry the cookie
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.open();
    await flush();
    FakeSocket.all[1]!.ackAll();
    await flush();

    await client.refreshToken(); // the same user: the connection stays
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeSocket.all).toHaveLength(2);

    user = "bob";
    await client.login({ user: "bob" });
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeSocket.all).toHaveLength(3);
    await client.logout();
    channels.close();
  });

  it("connects again, instead of dropping it, when the server ends a subscription for the old cookie's expiry", async () => {
    const { client, channels } = cookieSetup(() => "ada");
    await client.login({ user: "ada" });
    const errors: unknown[] = [];
    channels.subscribe("chat", { room: 1 }, () => undefined, { onError: (e) => errors.push(e) });
    FakeSocket.all[0]!.open();
    await flush();
    FakeSocket.all[0]!.ackAll();
    await flush();
    FakeSocket.all[0]!.answer({
      type: "unsubscribed",
      channel: "chat",
      params: { room: 1 },
      error: { code: "unauthenticated", message: "expired", fields: [], details: { reason: "expired" } },
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.open();
    await flush();
    expect(FakeSocket.all[1]!.sent).toEqual([{ type: "subscribe", id: expect.anything(), channel: "chat", params: { room: 1 } }]);
    expect(errors).toEqual([]);
    await client.logout();
    channels.close();
  });
});

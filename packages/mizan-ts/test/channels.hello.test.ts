import { WebSocket as NodeWebSocket } from "ws";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import {
  createChannelClient,
  createMizanClient,
  MizanError,
  type ChannelClient,
  type ChannelClientOptions,
  type ConnectionStatus,
  type FunctionTable,
  type MizanClient,
  type WebSocketConstructor,
} from "mizan";
import { countingFetch } from "./countingFetch.js";
import { GENERATED_DIR, generateHello } from "./generateFixtures.js";

// The channel client against examples/hello's `chat` channel and `mizan_revisions`, over
// real WebSockets (the `ws` package: Node 20 has no global WebSocket).

interface Line {
  user: string;
  text: string;
}

let helloUrl: string;
let functions: FunctionTable;
const opened: ChannelClient[] = [];
/** Every socket the clients dialed, so a test can cut one. */
const sockets: NodeWebSocket[] = [];

class RecordingWebSocket extends NodeWebSocket {
  constructor(url: string) {
    super(url);
    sockets.push(this);
  }
}
// Assignable without a cast: the client's WebSocket type fits the `ws` package's class.
const WebSocketImpl: WebSocketConstructor = RecordingWebSocket;

beforeAll(async () => {
  helloUrl = inject("helloUrl");
  await generateHello(helloUrl);
  ({ functions } = (await import(/* @vite-ignore */ `${GENERATED_DIR}hello/client.ts`)) as { functions: FunctionTable });
});

afterEach(() => {
  for (const channels of opened.splice(0)) channels.close();
  sockets.length = 0;
});

function connect(options: Partial<ChannelClientOptions> & { client?: MizanClient } = {}) {
  const counter = countingFetch();
  const client = options.client ?? createMizanClient({ baseUrl: helloUrl, functions, fetch: counter.fetch });
  const channels = createChannelClient({
    WebSocket: WebSocketImpl,
    backoff: { initialMs: 50, maxMs: 200 },
    ...options,
    client,
  });
  opened.push(channels);
  return { client, channels, seen: counter.seen };
}

/** Collects what a subscription receives; `next(n)` waits until `n` arrived. */
function inbox<T>() {
  const received: T[] = [];
  let wake: (() => void) | null = null;
  return {
    received,
    push: (message: T) => {
      received.push(message);
      wake?.();
    },
    async next(count: number, timeoutMs = 5000): Promise<T[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`got ${received.length} of ${count} messages: ${JSON.stringify(received)}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return received.slice(0, count);
    },
  };
}

function waitForStatus(channels: ChannelClient, wanted: ConnectionStatus, timeoutMs = 5000): Promise<void> {
  if (channels.status === wanted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`status stayed ${channels.status}, wanted ${wanted}`)), timeoutMs);
    const stop = channels.onStatusChange((status) => {
      if (status !== wanted) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

describe("channels against examples/hello", () => {
  it("delivers a line to everyone in the room and to no other room", async () => {
    const alice = connect();
    const bob = connect();
    const carol = connect();
    const [toAlice, toBob, toCarol] = [inbox<Line>(), inbox<Line>(), inbox<Line>()];
    const subscriptions = [
      alice.channels.subscribe<Line>("chat", { room: 1 }, toAlice.push),
      bob.channels.subscribe<Line>("chat", { room: 1 }, toBob.push),
      carol.channels.subscribe<Line>("chat", { room: 2 }, toCarol.push),
    ];
    expect(await Promise.all(subscriptions.map((s) => s.ready))).toEqual([{ room: 1 }, { room: 1 }, { room: 2 }]);
    expect(alice.channels.status).toBe("open");

    await alice.channels.send("chat", { room: 1 }, "hello room one");
    const line = { user: "anonymous", text: "hello room one" };
    expect(await toAlice.next(1)).toEqual([line]);
    expect(await toBob.next(1)).toEqual([line]);
    // Carol's own line reaches her after anything queued before it: room 1's never came.
    await carol.channels.send("chat", { room: 2 }, "room two here");
    expect(await toCarol.next(1)).toEqual([{ user: "anonymous", text: "room two here" }]);
    expect(toCarol.received).toHaveLength(1);
    expect(toAlice.received).toHaveLength(1);
  });

  it("authenticates with the client's token in an auth frame", async () => {
    const { client, channels } = connect();
    await client.login({ user: "ada", password: "mizan" });
    const lines = inbox<Line>();
    await channels.subscribe<Line>("chat", { room: 7 }, lines.push).ready;
    await channels.send("chat", { room: 7 }, "signed");
    expect(await lines.next(1)).toEqual([{ user: "ada", text: "signed" }]);
  });

  it("surfaces error frames as MizanErrors and keeps the connection", async () => {
    const { channels } = connect();
    const refused: MizanError[] = [];
    const wrongParams = channels.subscribe("chat", { room: "lobby" }, () => undefined, { onError: (e) => refused.push(e) });
    await expect(wrongParams.ready).rejects.toMatchObject({ name: "MizanError", code: "validation_failed" });
    expect(refused.map((e) => e.code)).toEqual(["validation_failed"]);
    await expect(channels.subscribe("nope", null, () => undefined).ready).rejects.toMatchObject({ code: "not_found" });
    await expect(channels.send("mizan_revisions", null, 1)).rejects.toMatchObject({ code: "method_not_allowed" });
    const empty = await channels.send("chat", { room: 1 }, " ").catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(MizanError);
    expect((empty as MizanError).fields).toEqual([{ path: "", code: "length", message: "say between 1 and 500 characters" }]);
    expect(channels.status).toBe("open");
  });

  it("reconnects after the socket dies, resubscribes, re-authenticates and tells listeners", async () => {
    const { client, channels } = connect();
    await client.login({ user: "ada", password: "mizan" });
    const statuses: ConnectionStatus[] = [];
    channels.onStatusChange((status) => statuses.push(status));
    let reconnects = 0;
    channels.onReconnect(() => reconnects++);
    const lines = inbox<Line>();
    await channels.subscribe<Line>("chat", { room: 3 }, lines.push).ready;
    expect(sockets).toHaveLength(1);

    sockets[0]?.terminate(); // no close handshake: as a dropped network looks
    await waitForStatus(channels, "reconnecting");
    await waitForStatus(channels, "open");
    await expect.poll(() => reconnects).toBe(1);
    expect(sockets).toHaveLength(2);

    const other = connect();
    await other.channels.send("chat", { room: 3 }, "after the drop");
    expect(await lines.next(1)).toEqual([{ user: "anonymous", text: "after the drop" }]);
    await channels.send("chat", { room: 3 }, "still ada");
    expect((await lines.next(2))[1]).toEqual({ user: "ada", text: "still ada" });
    expect(statuses).toEqual(["connecting", "open", "reconnecting", "open"]);
  });

  it("feeds mizan_revisions into the client: a purge elsewhere moves revisions, completed by one ask", async () => {
    const watcher = connect({ liveRevisions: true });
    await waitForStatus(watcher.channels, "open");
    await watcher.client.query("greet", { name: "Live" });
    const before = watcher.client.revisionOf("greet");
    expect(before).toBeTypeOf("number");
    const stale: string[][] = [];
    watcher.client.onRevisionsChange((fns) => stale.push([...fns].sort()));
    const requestsBefore = watcher.seen.length;
    // Let the subscription of mizan_revisions be acked before the purge happens.
    await new Promise((resolve) => setTimeout(resolve, 100));

    const admin = createMizanClient({ baseUrl: helloUrl, functions });
    await admin.login({ user: "admin", password: "mizan" });
    await admin.mutate("reset_greetings", null);

    // Only `greetings` was purged; greet's revision sums `greet` too, which the client asks
    // for once, so greet's next GET names its new revision.
    await expect.poll(() => stale).toContainEqual(["greet"]);
    expect(watcher.client.revisionOf("greet")).toBeGreaterThan(before!);
    expect(watcher.seen.slice(requestsBefore).map((r) => `${r.url.pathname}?${r.url.searchParams}`)).toEqual([
      "/mizan/revisions?tags=greet",
    ]);
  });
});

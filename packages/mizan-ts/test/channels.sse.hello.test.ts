import type { Server } from "node:http";
import { WebSocket as NodeWebSocket } from "ws";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { createChannelClient, createMizanClient, type ChannelClient, type ChannelClientOptions, type FunctionTable } from "mizan";
import { GENERATED_DIR, generateHello } from "./generateFixtures.js";
import { startSameOriginServer } from "./sameOriginServer.js";

// The SSE transport against examples/hello, through a same-origin proxy that refuses
// every WebSocket upgrade, as a network that blocks them does.

interface Line {
  user: string;
  text: string;
}

let helloUrl: string;
let functions: FunctionTable;
let proxy: Server;
let proxiedBase: string;
/** The paths the proxy saw, to tell which transport a client used. */
const dialed: string[] = [];
const opened: ChannelClient[] = [];

beforeAll(async () => {
  helloUrl = inject("helloUrl");
  await generateHello(helloUrl);
  ({ functions } = (await import(/* @vite-ignore */ `${GENERATED_DIR}hello/client.ts`)) as { functions: FunctionTable });
  const started = await startSameOriginServer(() => undefined, new URL(helloUrl), { refuseUpgrades: true });
  proxy = started.server;
  proxy.prependListener("request", (req) => dialed.push(`${req.method ?? ""} ${req.url ?? ""}`));
  proxy.prependListener("upgrade", (req) => dialed.push(`UPGRADE ${req.url ?? ""}`));
  proxiedBase = `${started.url}mizan`;
});

afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

afterEach(() => {
  for (const channels of opened.splice(0)) channels.close();
  dialed.length = 0;
});

function connect(baseUrl: string, options: Partial<ChannelClientOptions> = {}) {
  const client = createMizanClient({ baseUrl, functions });
  const channels = createChannelClient({
    // Node 20 has no global WebSocket; the `ws` package's fits.
    WebSocket: NodeWebSocket,
    backoff: { initialMs: 50, maxMs: 200 },
    ...options,
    client,
  });
  opened.push(channels);
  return { client, channels };
}

function inbox<T>() {
  const received: T[] = [];
  return {
    received,
    push: (message: T) => void received.push(message),
    async next(count: number, timeoutMs = 5000): Promise<T[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`got ${received.length} of ${count}: ${JSON.stringify(received)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return received.slice(0, count);
    },
  };
}

describe("channels over SSE against examples/hello", () => {
  it("falls back to SSE when the upgrade is refused, and talks both ways", async () => {
    const behind = connect(proxiedBase);
    const direct = connect(helloUrl, { transport: "websocket" });
    const [toBehind, toDirect] = [inbox<Line>(), inbox<Line>()];
    expect(await behind.channels.subscribe<Line>("chat", { room: 4 }, toBehind.push).ready).toEqual({ room: 4 });
    await direct.channels.subscribe<Line>("chat", { room: 4 }, toDirect.push).ready;
    expect(behind.channels.status).toBe("open");
    expect(dialed).toContain("UPGRADE /mizan/ws");
    expect(dialed).toContain("GET /mizan/sse");

    await direct.channels.send("chat", { room: 4 }, "over the socket");
    await behind.channels.send("chat", { room: 4 }, "over SSE");
    const lines = [
      { user: "anonymous", text: "over the socket" },
      { user: "anonymous", text: "over SSE" },
    ];
    expect(await toBehind.next(2)).toEqual(lines);
    expect(await toDirect.next(2)).toEqual(lines);
    expect(dialed.some((line) => line.startsWith("POST /mizan/sse/"))).toBe(true);
  });

  it("uses SSE when told to, authenticates with an auth frame, and reconnects", async () => {
    const { client, channels } = connect(proxiedBase, { transport: "sse" });
    await client.login({ user: "ada", password: "mizan" });
    const lines = inbox<Line>();
    let reconnects = 0;
    channels.onReconnect(() => reconnects++);
    await channels.subscribe<Line>("chat", { room: 8 }, lines.push).ready;
    expect(dialed).not.toContain("UPGRADE /mizan/ws");
    await channels.send("chat", { room: 8 }, "signed");
    expect(await lines.next(1)).toEqual([{ user: "ada", text: "signed" }]);

    // The server ends every open stream: the client comes back and resubscribes.
    proxy.closeAllConnections();
    const deadline = Date.now() + 5000;
    while (reconnects === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reconnects).toBe(1);
    await channels.send("chat", { room: 8 }, "again");
    expect(await lines.next(2)).toEqual([
      { user: "ada", text: "signed" },
      { user: "ada", text: "again" },
    ]);
  });
});

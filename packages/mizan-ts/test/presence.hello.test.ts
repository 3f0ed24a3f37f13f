import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import {
  createChannelClient,
  createMizanClient,
  type ChannelClient,
  type ConnectionStatus,
  type FunctionTable,
  type MizanClient,
  type PresenceMember,
  type WebSocketConstructor,
  webSocketUrl,
} from "mizan";
import { flakyNetwork } from "./flakyNetwork.js";
import { GENERATED_DIR, generateHello } from "./generateFixtures.js";

// examples/hello's `room` channel (history and presence) over real WebSockets: a client
// that was cut off recovers exactly what it missed, and members see each other come and go.

interface Line {
  user: string;
  text: string;
}

let helloUrl: string;
let functions: FunctionTable;
const opened: ChannelClient[] = [];

const network = flakyNetwork();
const { cut } = network;
const WebSocketImpl: WebSocketConstructor = network.FlakyWebSocket;

beforeAll(async () => {
  helloUrl = inject("helloUrl");
  await generateHello(helloUrl);
  ({ functions } = (await import(/* @vite-ignore */ `${GENERATED_DIR}hello/client.ts`)) as { functions: FunctionTable });
});

afterEach(() => {
  for (const channels of opened.splice(0)) channels.close();
  network.reset();
});

/** A signed-in client with its channel client. */
async function signIn(user: string): Promise<{ client: MizanClient; channels: ChannelClient }> {
  const client = createMizanClient({ baseUrl: helloUrl, functions });
  await client.login({ user, password: "mizan" });
  const url = `${webSocketUrl(helloUrl)}?as=${user}`;
  const channels = createChannelClient({ client, url, WebSocket: WebSocketImpl, backoff: { initialMs: 50, maxMs: 100 } });
  opened.push(channels);
  return { client, channels };
}

/** A room no other test (or run) uses. */
const freshRoom = (): { room: number } => ({ room: Math.floor(Math.random() * 2 ** 31) });

function waitFor(check: () => boolean, what: () => string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what()}`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

function waitForStatus(channels: ChannelClient, wanted: ConnectionStatus): Promise<void> {
  return waitFor(
    () => channels.status === wanted,
    () => `status ${wanted}, still ${channels.status}`,
  );
}

const users = (members: readonly PresenceMember[]): string[] => members.map((m) => m.user).sort();

describe("the room channel of examples/hello: history and presence", () => {
  it("a client cut off recovers exactly the lines it missed, in order, then live ones", async () => {
    const room = freshRoom();
    const alice = await signIn("alice");
    const bob = await signIn("bob");
    const lines: string[] = [];
    const recoveries: boolean[] = [];
    await alice.channels.subscribe<Line>("room", room, (line) => lines.push(line.text), {
      onRecover: (recovered) => recoveries.push(recovered),
    }).ready;
    await bob.channels.send("room", room, "before");
    await waitFor(
      () => lines.length === 1,
      () => JSON.stringify(lines),
    );

    cut("alice");
    await waitForStatus(alice.channels, "reconnecting");
    const missed = Array.from({ length: 7 }, (_, i) => `missed ${i + 1}`);
    for (const text of missed) await bob.channels.send("room", room, text);
    expect(lines).toEqual(["before"]);

    network.restore("alice");
    await waitForStatus(alice.channels, "open");
    await waitFor(
      () => lines.length === 1 + missed.length,
      () => JSON.stringify(lines),
    );
    for (const text of ["live 1", "live 2"]) await bob.channels.send("room", room, text);
    await waitFor(
      () => lines.length === 3 + missed.length,
      () => JSON.stringify(lines),
    );
    // A ping round trip: anything sent twice would have arrived by now.
    await alice.channels.send("room", room, "own");
    await waitFor(
      () => lines.includes("own"),
      () => JSON.stringify(lines),
    );
    expect(lines).toEqual(["before", ...missed, "live 1", "live 2", "own"]);
    expect(recoveries).toEqual([true]);
  });

  it("members see each other join and leave", async () => {
    const room = freshRoom();
    const alice = await signIn("alice");
    const bob = await signIn("bob");
    let seenByAlice: readonly PresenceMember[] = [];
    await alice.channels.subscribe("room", room, () => undefined, { onPresence: (m) => (seenByAlice = m) }).ready;
    await waitFor(
      () => users(seenByAlice).join() === "alice",
      () => JSON.stringify(seenByAlice),
    );
    const bobs = bob.channels.subscribe("room", room, () => undefined, { onPresence: () => undefined });
    await bobs.ready;
    await waitFor(
      () => users(seenByAlice).join() === "alice,bob",
      () => JSON.stringify(seenByAlice),
    );
    expect(seenByAlice.every((m) => typeof m.client === "string" && JSON.stringify(m.claims) === "{}")).toBe(true);

    bobs.unsubscribe();
    await waitFor(
      () => users(seenByAlice).join() === "alice",
      () => JSON.stringify(seenByAlice),
    );
    // Bob again, then his connection closes: a disconnect is a leave too.
    await bob.channels.subscribe("room", room, () => undefined).ready;
    await waitFor(
      () => users(seenByAlice).join() === "alice,bob",
      () => JSON.stringify(seenByAlice),
    );
    bob.channels.close();
    await waitFor(
      () => users(seenByAlice).join() === "alice",
      () => JSON.stringify(seenByAlice),
    );
  });

  it("after a reconnect the members are asked for again: a join missed meanwhile shows", async () => {
    const room = freshRoom();
    const alice = await signIn("alice");
    let seenByAlice: readonly PresenceMember[] = [];
    await alice.channels.subscribe("room", room, () => undefined, { onPresence: (m) => (seenByAlice = m) }).ready;
    await waitFor(
      () => users(seenByAlice).join() === "alice",
      () => JSON.stringify(seenByAlice),
    );
    cut("alice");
    await waitForStatus(alice.channels, "reconnecting");
    const carol = await signIn("carol");
    await carol.channels.subscribe("room", room, () => undefined).ready;
    expect(users(seenByAlice)).toEqual(["alice"]);

    network.restore("alice");
    await waitFor(
      () => users(seenByAlice).join() === "alice,carol",
      () => JSON.stringify(seenByAlice),
    );
  });
});

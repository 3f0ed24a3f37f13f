// @vitest-environment happy-dom
import { QueryClient } from "@tanstack/react-query";
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import { createElement, useState, type ReactNode } from "react";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { type ChannelClient, type MizanApiBase, type PresenceMember, webSocketUrl } from "mizan";
import { MizanProvider } from "mizan/react";
import { flakyNetwork } from "./flakyNetwork.js";
import { GENERATED_DIR, generateHello } from "./generateFixtures.js";

// The generated `usePresence` and `useChannel().recovered` of examples/hello's `room`
// channel in a DOM (happy-dom), against the real server: who is here updates as others come
// and go, and a dropped connection recovers the lines missed meanwhile and says so.

interface Line {
  user: string;
  text: string;
}
interface HelloApi extends MizanApiBase {
  $channels: ChannelClient;
  room: { send(params: { room: number }, text: string): Promise<void> };
}
interface HelloReact {
  mizan: {
    room: {
      useChannel(params: { room: number }, onMessage: (line: Line) => void): { status: string; recovered: boolean | null };
      usePresence(params: { room: number }): { members: readonly PresenceMember[]; status: string };
    };
  };
}
type CreateMizan = (options: object) => HelloApi;

let helloUrl: string;
let createMizan: CreateMizan;
let hooks: HelloReact;
const apis: HelloApi[] = [];

const network = flakyNetwork();

beforeAll(async () => {
  helloUrl = inject("helloUrl");
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${new URL(helloUrl).origin}/`);
  await generateHello(helloUrl);
  ({ createMizan } = (await import(/* @vite-ignore */ `${GENERATED_DIR}hello/client.ts`)) as { createMizan: CreateMizan });
  hooks = (await import(/* @vite-ignore */ `${GENERATED_DIR}hello/react.ts`)) as HelloReact;
});

afterEach(() => {
  cleanup();
  for (const api of apis.splice(0)) api.$channels.close();
  network.reset();
});

async function signIn(user: string): Promise<HelloApi> {
  const api = createMizan({
    baseUrl: helloUrl,
    // The cut network above fails only socket dials: pinned to the WebSocket, the client
    // cannot fall back to SSE around it (channels.sse.hello.test.ts tests the fallback).
    channels: {
      WebSocket: network.FlakyWebSocket,
      transport: "websocket",
      url: `${webSocketUrl(helloUrl)}?as=${user}`,
      backoff: { initialMs: 20, maxMs: 100 },
    },
  });
  apis.push(api);
  await api.$client.login({ user, password: "mizan" });
  return api;
}

function Room({ room }: { room: number }): ReactNode {
  const [lines, setLines] = useState<string[]>([]);
  const { recovered } = hooks.mizan.room.useChannel({ room }, (line) => setLines((before) => [...before, line.text]));
  const { members } = hooks.mizan.room.usePresence({ room });
  return createElement(
    "div",
    null,
    createElement(
      "p",
      { "data-testid": "here" },
      members
        .map((member) => member.user)
        .sort()
        .join(","),
    ),
    createElement("p", { "data-testid": "recovered" }, String(recovered)),
    createElement("p", { "data-testid": "lines" }, lines.join("|")),
  );
}

const text = (id: string): string | null => screen.getByTestId(id).textContent;

describe("usePresence and recovery hooks against examples/hello", () => {
  it("shows who is here and the lines recovered after a dropped connection", async () => {
    const room = Math.floor(Math.random() * 2 ** 31);
    const ada = await signIn("ada");
    const queryClient = new QueryClient();
    render(
      createElement(MizanProvider, { client: ada.$client, queryClient, channels: ada.$channels }, createElement(Room, { room })),
    );
    await waitFor(() => expect(text("here")).toBe("ada"));
    expect(text("recovered")).toBe("null");

    const bob = await signIn("bob");
    await bob.$channels.subscribe("room", { room }, () => undefined).ready;
    await waitFor(() => expect(text("here")).toBe("ada,bob"));
    await bob.room.send({ room }, "hello");
    await waitFor(() => expect(text("lines")).toBe("hello"));

    // Ada's network drops; Bob talks and a third member comes meanwhile.
    network.cut("ada");
    await waitFor(() => expect(ada.$channels.status).toBe("reconnecting"));
    await bob.room.send({ room }, "while away 1");
    await bob.room.send({ room }, "while away 2");
    const cyd = await signIn("cyd");
    await cyd.$channels.subscribe("room", { room }, () => undefined).ready;
    expect(text("lines")).toBe("hello");

    network.restore("ada");
    await waitFor(() => expect(text("recovered")).toBe("true"));
    await waitFor(() => expect(text("lines")).toBe("hello|while away 1|while away 2"));
    await waitFor(() => expect(text("here")).toBe("ada,bob,cyd"));

    cyd.$channels.close();
    await waitFor(() => expect(text("here")).toBe("ada,bob"));
  });
});

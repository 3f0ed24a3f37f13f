import { describe, expect, it } from "vitest";
import { sseParser, type SseEvent } from "./sseSocket.js";

describe("sseParser", () => {
  it("splits events across chunks, line ends and fields as the WHATWG rules say", () => {
    const events: SseEvent[] = [];
    const feed = sseParser((event) => events.push(event));
    feed('event: session\ndata: {"session"');
    feed(':"s1"}\n\n: keep-alive\n\n');
    feed("data:one\r\ndata: two\r");
    feed("\nid: 7\r\n\r\n");
    feed("event: close\ndata: {}\n");
    expect(events).toEqual([
      { event: "session", data: '{"session":"s1"}', id: undefined },
      { event: "message", data: "one\ntwo", id: "7" },
    ]);
    feed("\n");
    expect(events.at(-1)).toEqual({ event: "close", data: "{}", id: "7" });
  });
});

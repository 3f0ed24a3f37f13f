import type { FetchLike } from "../client/createMizanClient.js";
import { isRecord } from "../core/isRecord.js";
import type { WebSocketLike } from "./createChannelClient.js";

/** One Server-Sent Event: its `event` field (`message` when absent), data and id. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

/**
 * Splits an event stream into events (the WHATWG parsing rules: `\n`, `\r\n` or `\r`
 * line ends, `field: value` or `field:value`, `:` comments, a blank line ends an
 * event). Feed it text as it arrives; it keeps the unfinished tail.
 */
export function sseParser(onEvent: (event: SseEvent) => void): (text: string) => void {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  const line = (text: string): void => {
    if (text === "") {
      if (data.length > 0) onEvent({ event: event === "" ? "message" : event, data: data.join("\n"), id });
      event = "";
      data = [];
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id" && !value.includes("\0")) id = value;
  };
  return (text) => {
    buffer += text;
    for (;;) {
      const end = buffer.search(/\r\n|\r|\n/);
      // A lone `\r` at the very end may be the first half of `\r\n`: wait for more.
      if (end < 0 || (buffer[end] === "\r" && end === buffer.length - 1)) return;
      const width = buffer.startsWith("\r\n", end) ? 2 : 1;
      line(buffer.slice(0, end));
      buffer = buffer.slice(end + width);
    }
  };
}

export interface SseSocketOptions {
  readonly fetch: FetchLike;
  /** Headers of the stream's `GET` and of every `POST` (the CSRF header). */
  readonly headers: Readonly<Record<string, string>>;
  readonly credentials: RequestCredentials | undefined;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

type Listeners = {
  open: Array<() => void>;
  error: Array<() => void>;
  message: Array<(event: { readonly data: unknown }) => void>;
  close: Array<(event: { readonly code: number; readonly reason: string }) => void>;
};

/**
 * Channels over Server-Sent Events (`spec/PROTOCOL.md` §3.9), shaped like a WebSocket so
 * the channel client drives both alike: `GET url` streams the server's frames, each
 * `send` is a `POST url/{session}`, sent one after the other so frames keep their order.
 * It is open once the `session` event arrived; the `close` event's code is the close's.
 */
export function sseSocket(url: string, options: SseSocketOptions): WebSocketLike {
  const listeners: Listeners = { open: [], error: [], message: [], close: [] };
  const abort = new AbortController();
  let readyState = CONNECTING;
  let postUrl: string | null = null;
  let posting: Promise<void> = Promise.resolve();
  let closing = { code: 1006, reason: "the stream ended" };

  const closed = (): void => {
    if (readyState === CLOSED) return;
    readyState = CLOSED;
    abort.abort();
    for (const listener of listeners.close) listener(closing);
  };

  const onEvent = (event: SseEvent): void => {
    if (event.event === "session") {
      const session = parseSession(event.data);
      if (session === null || readyState !== CONNECTING) return;
      postUrl = `${url.replace(/\/+$/, "")}/${encodeURIComponent(session)}`;
      readyState = OPEN;
      for (const listener of listeners.open) listener();
    } else if (event.event === "close") {
      closing = parseClose(event.data) ?? closing;
    } else if (event.event === "message" && readyState === OPEN) {
      for (const listener of listeners.message) listener({ data: event.data });
    }
  };

  const read = async (): Promise<void> => {
    const init: RequestInit = {
      headers: { accept: "text/event-stream", ...options.headers },
      signal: abort.signal,
      cache: "no-store",
    };
    if (options.credentials !== undefined) init.credentials = options.credentials;
    const response = await options.fetch(url, init);
    if (!response.ok || response.body === null) {
      closing = { code: 1006, reason: `the stream was refused (${response.status})` };
      return;
    }
    const feed = sseParser(onEvent);
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      feed(decoder.decode(value, { stream: true }));
    }
  };
  void read()
    .catch(() => undefined)
    .finally(closed);

  return {
    get readyState() {
      return readyState;
    },
    send(data: string) {
      const target = postUrl;
      if (target === null || readyState !== OPEN) return;
      posting = posting.then(async () => {
        const init: RequestInit = {
          method: "POST",
          headers: { "content-type": "application/json", ...options.headers },
          body: data,
        };
        if (options.credentials !== undefined) init.credentials = options.credentials;
        // A refused or lost frame leaves the session in doubt: end it, the client reconnects.
        const ok = await options.fetch(target, init).then(
          (response) => response.status === 202,
          () => false,
        );
        if (!ok) closed();
      });
    },
    close(code = 1000, reason = "") {
      closing = { code, reason };
      closed();
    },
    addEventListener(type: keyof Listeners, listener: never) {
      (listeners[type] as unknown[]).push(listener);
    },
  };
}

/** The JSON object an event's data holds, or `null`. */
function parseObject(data: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(data);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

function parseSession(data: string): string | null {
  const session = parseObject(data)?.["session"];
  return typeof session === "string" ? session : null;
}

function parseClose(data: string): { code: number; reason: string } | null {
  const value = parseObject(data);
  const [code, reason] = [value?.["code"], value?.["reason"]];
  return typeof code === "number" ? { code, reason: typeof reason === "string" ? reason : "" } : null;
}

import { isRecord } from "../core/isRecord.js";

/** A request id: chosen by the client, echoed by the server (`null` when it had none). */
export type FrameId = string | number;

/** What the client sends (`spec/PROTOCOL.md` §3.2). */
export type ClientFrame =
  | { readonly type: "auth"; readonly id: FrameId; readonly token: string }
  | { readonly type: "subscribe"; readonly id: FrameId; readonly channel: string; readonly params: unknown }
  | { readonly type: "unsubscribe"; readonly id: FrameId; readonly channel: string; readonly params: unknown }
  | { readonly type: "send"; readonly id: FrameId; readonly channel: string; readonly params: unknown; readonly data: unknown }
  | { readonly type: "ping"; readonly id: FrameId };

/** What the server sends. `error` is the `error` object of an envelope (§2.3). */
export type ServerFrame =
  | { readonly type: "ack"; readonly id: FrameId | null; readonly channel?: string; readonly params?: unknown }
  | { readonly type: "error"; readonly id: FrameId | null; readonly error: unknown }
  | { readonly type: "message"; readonly channel: string; readonly params: unknown; readonly data: unknown }
  | { readonly type: "pong"; readonly id: FrameId | null };

/** Reads one text frame from the server; `null` for anything that is not a known frame. */
export function parseServerFrame(text: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  const id = value["id"];
  const frameId = typeof id === "string" || typeof id === "number" ? id : null;
  switch (value["type"]) {
    case "ack": {
      const channel = value["channel"];
      return typeof channel === "string"
        ? { type: "ack", id: frameId, channel, params: value["params"] ?? null }
        : { type: "ack", id: frameId };
    }
    case "error":
      return { type: "error", id: frameId, error: value["error"] };
    case "pong":
      return { type: "pong", id: frameId };
    case "message": {
      const channel = value["channel"];
      if (typeof channel !== "string") return null;
      return { type: "message", channel, params: value["params"] ?? null, data: value["data"] ?? null };
    }
    default:
      return null;
  }
}

import { isRecord } from "../core/isRecord.js";

/** A request id: chosen by the client, echoed by the server (`null` when it had none). */
export type FrameId = string | number;

/** Where a topic's history stands (`spec/PROTOCOL.md` §3.7): an offset within an epoch. */
export interface StreamPosition {
  readonly offset: number;
  readonly epoch: string;
}

/**
 * One subscriber of a topic with presence (`spec/PROTOCOL.md` §3.8): its connection's id,
 * its user id and the token claims the channel exposes.
 */
export interface PresenceMember<Claims = Readonly<Record<string, unknown>>> {
  readonly client: string;
  readonly user: string;
  readonly claims: Claims;
}

/** What the client sends (`spec/PROTOCOL.md` §3.2). */
export type ClientFrame =
  | { readonly type: "auth"; readonly id: FrameId; readonly token: string }
  | {
      readonly type: "subscribe";
      readonly id: FrameId;
      readonly channel: string;
      readonly params: unknown;
      readonly since?: StreamPosition;
    }
  | { readonly type: "unsubscribe"; readonly id: FrameId; readonly channel: string; readonly params: unknown }
  | { readonly type: "send"; readonly id: FrameId; readonly channel: string; readonly params: unknown; readonly data: unknown }
  | { readonly type: "ping"; readonly id: FrameId }
  | { readonly type: "presence"; readonly id: FrameId; readonly channel: string; readonly params: unknown };

/** What the server sends. `error` is the `error` object of an envelope (§2.3). */
export type ServerFrame =
  | {
      readonly type: "ack";
      readonly id: FrameId | null;
      readonly channel?: string;
      readonly params?: unknown;
      /** On channels with history: the topic's newest position. */
      readonly position?: StreamPosition;
      /** When the subscribe carried `since`: whether what was missed follows. */
      readonly recovered?: boolean;
    }
  | { readonly type: "error"; readonly id: FrameId | null; readonly error: unknown }
  | {
      readonly type: "message";
      readonly channel: string;
      readonly params: unknown;
      readonly data: unknown;
      /** On channels with history: the publication's offset. */
      readonly offset?: number;
    }
  | { readonly type: "pong"; readonly id: FrameId | null }
  /** The server ended a subscription (its token expired, §3.1). */
  | { readonly type: "unsubscribed"; readonly channel: string; readonly params: unknown; readonly error: unknown }
  /** The answer to a presence query (§3.8). */
  | {
      readonly type: "presence";
      readonly id: FrameId | null;
      readonly channel: string;
      readonly params: unknown;
      readonly members: readonly PresenceMember[];
    }
  /** A member came (§3.8). */
  | { readonly type: "join"; readonly channel: string; readonly params: unknown; readonly member: PresenceMember }
  /** A member went (§3.8). */
  | { readonly type: "leave"; readonly channel: string; readonly params: unknown; readonly member: PresenceMember };

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
      if (typeof channel !== "string") return { type: "ack", id: frameId };
      const { offset, epoch, recovered } = value;
      return {
        type: "ack",
        id: frameId,
        channel,
        params: value["params"] ?? null,
        ...(typeof offset === "number" && typeof epoch === "string" ? { position: { offset, epoch } } : {}),
        ...(typeof recovered === "boolean" ? { recovered } : {}),
      };
    }
    case "error":
      return { type: "error", id: frameId, error: value["error"] };
    case "pong":
      return { type: "pong", id: frameId };
    case "unsubscribed": {
      const channel = value["channel"];
      if (typeof channel !== "string") return null;
      return { type: "unsubscribed", channel, params: value["params"] ?? null, error: value["error"] };
    }
    case "message": {
      const channel = value["channel"];
      if (typeof channel !== "string") return null;
      const offset = value["offset"];
      return {
        type: "message",
        channel,
        params: value["params"] ?? null,
        data: value["data"] ?? null,
        ...(typeof offset === "number" ? { offset } : {}),
      };
    }
    case "presence": {
      const { channel, members } = value;
      if (typeof channel !== "string" || !Array.isArray(members) || !members.every(isMember)) return null;
      return { type: "presence", id: frameId, channel, params: value["params"] ?? null, members };
    }
    case "join":
    case "leave": {
      const { channel, member } = value;
      if (typeof channel !== "string" || !isMember(member)) return null;
      const params = value["params"] ?? null;
      return value["type"] === "join" ? { type: "join", channel, params, member } : { type: "leave", channel, params, member };
    }
    default:
      return null;
  }
}

function isMember(value: unknown): value is PresenceMember {
  return isRecord(value) && typeof value["client"] === "string" && typeof value["user"] === "string" && isRecord(value["claims"]);
}

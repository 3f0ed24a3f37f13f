import { WebSocket as NodeWebSocket } from "ws";

/**
 * A network a test cuts per user. Each client's URL names its user (`?as=USER`, which the
 * server ignores); `FlakyWebSocket` remembers every socket a user dials, and while the user
 * is down their dials fail (port 9 on loopback refuses, as an unreachable server does).
 */
export interface FlakyNetwork {
  readonly FlakyWebSocket: new (url: string) => NodeWebSocket;
  /** Cuts `user`'s network: their sockets die without a close handshake, redials fail. */
  readonly cut: (user: string) => void;
  /** Brings `user`'s network back: the next redial connects. */
  readonly restore: (user: string) => void;
  /** Forgets every user and socket (between tests). */
  readonly reset: () => void;
}

export function flakyNetwork(): FlakyNetwork {
  const down = new Set<string>();
  const sockets = new Map<string, NodeWebSocket[]>();
  class FlakyWebSocket extends NodeWebSocket {
    constructor(url: string) {
      const user = new URL(url).searchParams.get("as") ?? "";
      super(down.has(user) ? "ws://127.0.0.1:9/mizan/ws" : url);
      sockets.set(user, [...(sockets.get(user) ?? []), this]);
    }
  }
  return {
    FlakyWebSocket,
    cut: (user) => {
      down.add(user);
      for (const socket of sockets.get(user) ?? []) socket.terminate();
    },
    restore: (user) => {
      down.delete(user);
    },
    reset: () => {
      down.clear();
      sockets.clear();
    },
  };
}

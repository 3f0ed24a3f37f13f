import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { ConnectionStatus } from "../channels/createChannelClient.js";
import type { MizanError } from "../client/mizanError.js";
import { canonicalize } from "../core/canonical.js";
import { useMizanChannels } from "./MizanProvider.js";

export interface UseChannelOptions {
  /** Subscribe only while true. Default true. */
  readonly enabled?: boolean;
}

export interface UseChannelResult {
  /** The connection's status. */
  readonly status: ConnectionStatus;
  /** Set when the server refused the subscription. */
  readonly error: MizanError | null;
  /**
   * How the last reconnect went, on a channel with history (`spec/PROTOCOL.md` §3.7):
   * `true` when the messages missed while away were replayed, `false` when they were lost
   * (refetch what you show), `null` before any reconnect or on a channel without history.
   */
  readonly recovered: boolean | null;
}

/**
 * Subscribes `channel` with `params` while the component is mounted (and `enabled`):
 * `onMessage` gets each publication. Params are compared by their canonical JSON, so a
 * fresh object literal per render does not resubscribe; the latest `onMessage` is always
 * the one called.
 */
export function useChannel<P, M>(
  channel: string,
  params: P,
  onMessage: (message: M) => void,
  options: UseChannelOptions = {},
): UseChannelResult {
  const channels = useMizanChannels();
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const [error, setError] = useState<MizanError | null>(null);
  const [recovered, setRecovered] = useState<boolean | null>(null);
  const key = canonicalize(params ?? null);
  const enabled = options.enabled ?? true;
  useEffect(() => {
    if (!enabled) return;
    setError(null);
    setRecovered(null);
    const subscription = channels.subscribe<M>(channel, JSON.parse(key) as unknown, (message) => handler.current(message), {
      onError: setError,
      onRecover: setRecovered,
    });
    return () => subscription.unsubscribe();
  }, [channels, channel, key, enabled]);
  return { status: useConnectionStatus(), error, recovered };
}

/** The channel connection's status, re-rendering on every change. */
export function useConnectionStatus(): ConnectionStatus {
  const channels = useMizanChannels();
  return useSyncExternalStore(
    (notify) => channels.onStatusChange(notify),
    () => channels.status,
    () => channels.status,
  );
}

import { useEffect, useState } from "react";
import type { ConnectionStatus } from "../channels/createChannelClient.js";
import type { PresenceMember } from "../channels/frames.js";
import type { MizanError } from "../client/mizanError.js";
import { canonicalize } from "../core/canonical.js";
import { useMizanChannels } from "./MizanProvider.js";
import { useConnectionStatus } from "./useChannel.js";

export interface UsePresenceOptions {
  /** Track presence only while true. Default true. */
  readonly enabled?: boolean;
}

export interface UsePresenceResult<Claims = Readonly<Record<string, unknown>>> {
  /** Who is subscribed to the topic now, the viewer included when signed in; empty until the first answer. */
  readonly members: readonly PresenceMember<Claims>[];
  /** The connection's status: after a reconnect, `members` is resynced by a fresh presence query. */
  readonly status: ConnectionStatus;
  /** Set when the server refused the subscription or the presence query. */
  readonly error: MizanError | null;
}

/**
 * Who is on `channel` with `params` (`spec/PROTOCOL.md` §3.8), for a channel with presence:
 * subscribes while mounted (and `enabled`), lists the members once subscribed, updates on
 * every join and leave, and asks again after a reconnect. Params are compared by their
 * canonical JSON, as in `useChannel`; with `useChannel` on the same topic the two share one
 * subscription.
 */
export function usePresence<P, Claims = Readonly<Record<string, unknown>>>(
  channel: string,
  params: P,
  options: UsePresenceOptions = {},
): UsePresenceResult<Claims> {
  const channels = useMizanChannels();
  const [members, setMembers] = useState<readonly PresenceMember<Claims>[]>([]);
  const [error, setError] = useState<MizanError | null>(null);
  const key = canonicalize(params ?? null);
  const enabled = options.enabled ?? true;
  useEffect(() => {
    if (!enabled) return;
    setError(null);
    setMembers([]);
    const subscription = channels.subscribe(channel, JSON.parse(key) as unknown, () => undefined, {
      onError: setError,
      onPresence: (next) => setMembers(next as readonly PresenceMember<Claims>[]),
    });
    return () => subscription.unsubscribe();
  }, [channels, channel, key, enabled]);
  return { members, status: useConnectionStatus(), error };
}

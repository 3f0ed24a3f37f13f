import { buildProcedureTree } from "../client/procedurePath.js";
import type { ChannelClient, ChannelSubscription, SubscribeOptions } from "./createChannelClient.js";

/** A one-way channel of the typed API: `mizan.news.subscribe(params, onMessage)`. */
export interface ChannelProcedure<P, M> {
  readonly name: string;
  subscribe(params: P, onMessage: (message: M) => void, options?: SubscribeOptions): ChannelSubscription;
}

/** A bidirectional channel: also `mizan.chat.send(params, data)`, resolved on the server's ack. */
export interface BidirectionalChannelProcedure<P, M, C> extends ChannelProcedure<P, M> {
  send(params: P, data: C): Promise<void>;
}

/** What codegen emits per channel: whether clients may send on it, its history and presence. */
export type ChannelTable = Readonly<
  Record<
    string,
    {
      readonly bidirectional: boolean;
      /** The history the server keeps per topic; with one, reconnects recover missed messages. */
      readonly history?: { readonly size: number; readonly ttlSeconds: number } | null;
      /** The token claims presence exposes besides the user id; null: the channel keeps no presence. */
      readonly presence?: { readonly claims: readonly string[] } | null;
    }
  >
>;

/**
 * The channel part of a generated API: a procedure at each channel's `procedurePath`
 * (`send` only on bidirectional ones), and `$channels`, the client underneath.
 */
export function createChannelsApi(channels: ChannelClient, table: ChannelTable): Record<string, unknown> {
  const tree = buildProcedureTree(Object.keys(table), (name) => ({
    name,
    subscribe: (params: unknown, onMessage: (message: unknown) => void, options?: SubscribeOptions) =>
      channels.subscribe(name, params, onMessage, options),
    ...(table[name]?.bidirectional === true
      ? { send: (params: unknown, data: unknown) => channels.send(name, params, data) }
      : {}),
  }));
  return { ...tree, $channels: channels };
}

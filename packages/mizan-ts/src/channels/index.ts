export {
  createChannelClient,
  webSocketUrl,
  type ChannelClient,
  type ChannelClientOptions,
  type ChannelSubscription,
  type ChannelTransport,
  type ConnectionStatus,
  type SubscribeOptions,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./createChannelClient.js";
export {
  parseServerFrame,
  type ClientFrame,
  type FrameId,
  type PresenceMember,
  type ServerFrame,
  type StreamPosition,
} from "./frames.js";
export { reconnectDelay, type BackoffOptions } from "./reconnectDelay.js";
export {
  createChannelsApi,
  type BidirectionalChannelProcedure,
  type ChannelProcedure,
  type ChannelTable,
} from "./createChannelsApi.js";

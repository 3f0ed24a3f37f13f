export { createContextProvider, type ContextProviderProps } from "./createContextProvider.js";
export { createMizanReactApi, type ReactMutationProcedure, type ReactQueryProcedure } from "./createMizanReactApi.js";
export { functionOfQueryKey, getFunctionKey, getQueryKey, type MizanFunctionKey, type MizanQueryKey } from "./getQueryKey.js";
export { invalidateFunctions } from "./invalidateFunctions.js";
export { MizanProvider, useMizanChannels, useMizanClient, type MizanProviderProps } from "./MizanProvider.js";
export { useMizanMutation, type MizanMutationOptions } from "./useMizanMutation.js";
export { defaultStaleTime, useMizanQuery, type MizanQueryOptions } from "./useMizanQuery.js";
export {
  createChannelsReactApi,
  createFormsReactApi,
  type ReactChannelProcedure,
  type ReactFormProcedure,
  type ReactPresenceChannelProcedure,
} from "./createExtensionsReactApi.js";
export { useChannel, useConnectionStatus, type UseChannelOptions, type UseChannelResult } from "./useChannel.js";
export { useMizanForm, type MizanForm, type MizanFormOptions } from "./useMizanForm.js";
export { usePresence, type UsePresenceOptions, type UsePresenceResult } from "./usePresence.js";

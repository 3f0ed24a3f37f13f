import type { ChannelTable } from "../channels/createChannelsApi.js";
import { buildProcedureTree } from "../client/procedurePath.js";
import type { FormDefinition } from "../forms/formDefinition.js";
import { useChannel, type UseChannelOptions, type UseChannelResult } from "./useChannel.js";
import { usePresence, type UsePresenceOptions, type UsePresenceResult } from "./usePresence.js";
import { useMizanForm, type MizanForm, type MizanFormOptions } from "./useMizanForm.js";

/** A channel's hook: `mizan.chat.useChannel({ room: 1 }, (line) => ...)`. */
export interface ReactChannelProcedure<P, M> {
  useChannel(params: P, onMessage: (message: M) => void, options?: UseChannelOptions): UseChannelResult;
}

/** The hooks of a channel with presence: also `mizan.room.usePresence({ room: 1 })`. */
export interface ReactPresenceChannelProcedure<P, M, Claims> extends ReactChannelProcedure<P, M> {
  usePresence(params: P, options?: UsePresenceOptions): UsePresenceResult<Claims>;
}

/** A form's hook: `mizan.contact.useForm()`, typed by the submit function's input and output. */
export interface ReactFormProcedure<V, O> {
  useForm(options?: MizanFormOptions<V, O>): MizanForm<V, O>;
}

/**
 * The channel hooks of a generated React API, at each channel's `procedurePath`;
 * `usePresence` only on channels that keep presence.
 */
export function createChannelsReactApi(table: ChannelTable): Record<string, unknown> {
  return buildProcedureTree(Object.keys(table), (name) => ({
    useChannel: (params: unknown, onMessage: (message: unknown) => void, options?: UseChannelOptions) =>
      useChannel(name, params, onMessage, options),
    ...(table[name]?.presence != null
      ? { usePresence: (params: unknown, options?: UsePresenceOptions) => usePresence(name, params, options) }
      : {}),
  }));
}

/** The form hooks of a generated React API, at each form's `procedurePath`. */
export function createFormsReactApi(forms: Readonly<Record<string, FormDefinition>>): Record<string, unknown> {
  return buildProcedureTree(Object.keys(forms), (name) => ({
    useForm: (options?: MizanFormOptions<unknown, unknown>) => useMizanForm(forms[name] as FormDefinition, options),
  }));
}

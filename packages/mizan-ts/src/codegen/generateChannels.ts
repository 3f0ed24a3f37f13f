import { isRecord } from "../core/isRecord.js";
import type { ExtensionContext, ExtensionOutput } from "./extension.js";
import { typeName } from "./jsonSchemaToIr.js";
import type { JsonSchema } from "./schemaDocument.js";

/** One entry of the schema's `channels` section (`spec/SCHEMA.md`, "Channels"). */
interface SchemaChannel {
  readonly bidirectional: boolean;
  readonly description: string | null;
  readonly params: JsonSchema;
  readonly message: JsonSchema;
  readonly client_message: JsonSchema | null;
  /** Absent in schemas from before channel history. */
  readonly history?: { readonly size: number; readonly ttl_seconds: number } | null;
  /** Absent in schemas from before channel presence. */
  readonly presence?: { readonly claims: readonly string[] } | null;
}

/** The channel entries of the section; entries of another `type` are left as data. */
function parseChannels(section: unknown): Record<string, SchemaChannel> {
  const problems: string[] = [];
  const schema = (v: unknown): boolean => isRecord(v) || typeof v === "boolean";
  if (!isRecord(section)) throw new Error("invalid schema document: channels must be an object");
  const channels: Record<string, SchemaChannel> = {};
  for (const [name, entry] of Object.entries(section)) {
    const at = `channels.${name}`;
    if (!isRecord(entry)) {
      problems.push(`${at} must be an object`);
      continue;
    }
    if (entry["type"] !== "channel") continue;
    channels[name] = entry as unknown as SchemaChannel;
    if (typeof entry["bidirectional"] !== "boolean") problems.push(`${at}.bidirectional must be a boolean`);
    if (!schema(entry["params"])) problems.push(`${at}.params must be a JSON Schema`);
    if (!schema(entry["message"])) problems.push(`${at}.message must be a JSON Schema`);
    if (entry["bidirectional"] === true && !schema(entry["client_message"])) {
      problems.push(`${at}.client_message must be a JSON Schema on a bidirectional channel`);
    }
    const history = entry["history"];
    const counts = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v) && v >= 0;
    if (
      history !== undefined &&
      history !== null &&
      !(isRecord(history) && counts(history["size"]) && counts(history["ttl_seconds"]))
    ) {
      problems.push(`${at}.history must be null or {size, ttl_seconds} with integers`);
    }
    const presence = entry["presence"];
    const names = (v: unknown): boolean => Array.isArray(v) && v.every((name) => typeof name === "string");
    if (presence !== undefined && presence !== null && !(isRecord(presence) && names(presence["claims"]))) {
      problems.push(`${at}.presence must be null or {claims} with an array of claim names`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid schema document:\n- ${problems.join("\n- ")}`);
  return channels;
}

/**
 * The `channels` generator: types of each channel's params, messages and client messages,
 * the `channels` table, `api.chat.subscribe(params, onMessage)` (and `.send(params, data)`
 * on bidirectional channels), `api.$channels`, `createMizan({ channels: {...} })` options,
 * the hook `mizan.chat.useChannel(params, onMessage)`, and `mizan.room.usePresence(params)` on
 * channels with presence, its members' claims typed by the names the channel exposes.
 */
export function generateChannels(section: unknown, { converter, runtimeModule }: ExtensionContext): ExtensionOutput {
  const channels = parseChannels(section);
  const names = Object.keys(channels).sort();
  const clientMembers: Record<string, string> = { $channels: "ChannelClient" };
  const reactMembers: Record<string, string> = {};
  const reactImports: string[] = ["channels"];
  const memberDocs: Record<string, string> = { $channels: "The channel client underneath: status, reconnects, errors." };
  const typeLines: string[] = [];
  for (const name of names) {
    const channel = channels[name] as SchemaChannel;
    const base = typeName(name);
    converter.addRoot(`${base}Params`, channel.params);
    converter.addRoot(`${base}Message`, channel.message);
    const params = `${base}Params`;
    const message = `${base}Message`;
    reactImports.push(params, message);
    if (channel.bidirectional && channel.client_message !== null) {
      converter.addRoot(`${base}ClientMessage`, channel.client_message);
      clientMembers[name] = `BidirectionalChannelProcedure<${params}, ${message}, ${base}ClientMessage>`;
      typeLines.push(
        `  ${JSON.stringify(name)}: { params: ${params}; message: ${message}; clientMessage: ${base}ClientMessage };`,
      );
    } else {
      clientMembers[name] = `ChannelProcedure<${params}, ${message}>`;
      typeLines.push(`  ${JSON.stringify(name)}: { params: ${params}; message: ${message}; clientMessage: never };`);
    }
    const presence = channel.presence ?? null;
    reactMembers[name] =
      presence === null
        ? `ReactChannelProcedure<${params}, ${message}>`
        : `ReactPresenceChannelProcedure<${params}, ${message}, ${claimsType(presence.claims)}>`;
    if (channel.description !== null && channel.description !== undefined) memberDocs[name] = channel.description;
  }
  const table = names.map((name) => {
    const channel = channels[name] as SchemaChannel;
    const history = channel.history ?? null;
    const kept = history === null ? "null" : `{ size: ${history.size}, ttlSeconds: ${history.ttl_seconds} }`;
    const presence = channel.presence ?? null;
    const listed = presence === null ? "null" : `{ claims: ${JSON.stringify(presence.claims)} }`;
    return `  ${JSON.stringify(name)}: { bidirectional: ${String(channel.bidirectional)}, history: ${kept}, presence: ${listed} },`;
  });
  // Only what the members use: generated code compiles under noUnusedLocals.
  const procedures = Object.values(clientMembers);
  const clientTypes = ["BidirectionalChannelProcedure", "ChannelClient", "ChannelClientOptions", "ChannelProcedure"].filter(
    (type) => type.startsWith("ChannelClient") || procedures.some((member) => member.startsWith(`${type}<`)),
  );
  const client = `import {
  createChannelClient,
  createChannelsApi,
${clientTypes.map((type) => `  type ${type},\n`).join("")}} from ${JSON.stringify(runtimeModule)};

/** Every channel's types, by name. */
export interface Channels {
${typeLines.join("\n")}
}

/** Channels: name → whether clients may send on it, the history it keeps per topic and its presence (null: none). */
export const channels = {
${table.join("\n")}
} as const;
`;
  const hooks = Object.values(reactMembers);
  const reactTypes = ["ReactChannelProcedure", "ReactPresenceChannelProcedure"]
    .filter((type) => hooks.some((member) => member.startsWith(`${type}<`)))
    .map((type) => `type ${type}`);
  const react = `import { ${["createChannelsReactApi", ...reactTypes].join(", ")} } from ${JSON.stringify(`${runtimeModule}/react`)};
`;
  return {
    client,
    react,
    reactImports,
    clientMembers,
    reactMembers,
    memberDocs,
    clientOptions: `{ readonly channels?: Omit<ChannelClientOptions, "client"> }`,
    clientValue: "createChannelsApi(createChannelClient({ ...options.channels, client }), channels)",
    reactValue: "createChannelsReactApi(channels)",
  };
}

/** The claims a presence member carries: the exposed names, each present when the token has it. */
function claimsType(claims: readonly string[]): string {
  if (claims.length === 0) return "Readonly<Record<string, never>>";
  return `{ ${claims.map((name) => `readonly ${JSON.stringify(name)}?: unknown;`).join(" ")} }`;
}

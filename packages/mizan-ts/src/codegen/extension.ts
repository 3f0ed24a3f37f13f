import type { JsonSchemaConverter } from "./jsonSchemaToIr.js";
import type { SchemaDocument } from "./schemaDocument.js";

// The seam between `generate` and the generators of extension sections (channels, forms and
// an application's own), in a module of its own so neither side imports the other.

/** What an extension generator sees: its section, and the document's converter and names. */
export interface ExtensionContext {
  readonly document: SchemaDocument;
  readonly converter: JsonSchemaConverter;
  /** The module the runtime is imported from (`mizan`; hooks from `${runtimeModule}/react`). */
  readonly runtimeModule: string;
}

/** What an extension adds to the generated files. */
export interface ExtensionOutput {
  /** Code appended to `client.ts` (its own imports of the runtime included). */
  readonly client?: string;
  /** Code appended to `react.ts`. */
  readonly react?: string;
  /** Names `react.ts` imports from `./client.js` (types, tables). */
  readonly reactImports?: readonly string[];
  /** Members of the typed client by dotted name, each a type: `{ chat: "ChannelProcedure<...>" }`. */
  readonly clientMembers?: Readonly<Record<string, string>>;
  /** Members of the typed hooks by dotted name. */
  readonly reactMembers?: Readonly<Record<string, string>>;
  /** Doc comments of members (both trees) by dotted name, for names that are no function. */
  readonly memberDocs?: Readonly<Record<string, string>>;
  /** An expression, with `client` (the `MizanClient`) and `options` in scope, whose object joins the client's tree. */
  readonly clientValue?: string;
  /** An expression whose object joins the hooks' tree. */
  readonly reactValue?: string;
  /** A type whose members join the options of `createMizan`. */
  readonly clientOptions?: string;
}

/**
 * Generates code for one extension section of the schema (`channels`, `forms`): text
 * appended to the client file and to the React file. This is the seam channel and form
 * helpers plug into; a section without a generator is still emitted as data under
 * `extensions`.
 */
export type ExtensionGenerator = (section: unknown, context: ExtensionContext) => ExtensionOutput;

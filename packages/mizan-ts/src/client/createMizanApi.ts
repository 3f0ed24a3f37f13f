import { LOGOUT_FUNCTION, REFRESH_FUNCTION, TOKEN_FUNCTION } from "../core/wireNames.js";
import type { MizanClient, Settled } from "./createMizanClient.js";
import { buildProcedureTree, mergeProcedureTrees, procedurePath } from "./procedurePath.js";

/** The arguments of a call: the input, optional when the function takes `null`. */
export type InputArgs<I> = null extends I ? [input?: I] : [input: I];

/** A query of the typed API: `mizan.greet.query({ name })`. */
export interface QueryProcedure<I, O> {
  readonly name: string;
  /** By GET with the known `rev` when the query is cached, else batched. */
  query(...args: InputArgs<I>): Promise<O>;
  /** Always through the batch. */
  call(...args: InputArgs<I>): Promise<O>;
}

/** A mutation of the typed API: `mizan.resetGreetings.mutate()`. */
export interface MutationProcedure<I, O> {
  readonly name: string;
  mutate(...args: InputArgs<I>): Promise<O>;
}

/** A composition: inputs by member name (each optional), results settled per member. */
export type ComposeProcedure<Inputs, Outputs, Errors = { [K in keyof Outputs]: unknown }> = (
  inputs?: Partial<Inputs>,
) => Promise<{ [K in keyof Outputs]: Settled<Outputs[K], K extends keyof Errors ? Errors[K] : unknown> }>;

/** The members every generated API has besides its functions. */
export interface MizanApiBase {
  /** The untyped client underneath: tokens, revisions, raw calls. */
  readonly $client: MizanClient;
}

/**
 * The object behind a generated API: a `QueryProcedure` or `MutationProcedure` at each
 * function's `procedurePath`, `$compose.<name>` per composition and `$client`. Codegen
 * emits the type `Api` for it; the runtime shape follows the same names. `extensions`
 * (channels, forms) are merged into the tree.
 */
export function createMizanApi<Api extends MizanApiBase>(
  client: MizanClient,
  names: { readonly functions: readonly string[]; readonly compositions: readonly string[] },
  extensions: readonly Readonly<Record<string, unknown>>[] = [],
): Api {
  const tree = buildProcedureTree(names.functions, (name) => {
    // The token functions go through the client's session, which keeps (or drops) the token.
    const session = sessionCall(client, name);
    return {
      name,
      query: (input?: unknown) => client.query(name, input),
      call: session ?? ((input?: unknown) => client.call(name, input)),
      mutate: session ?? ((input?: unknown) => client.mutate(name, input)),
    };
  });
  const compose: Record<string, unknown> = {};
  for (const name of names.compositions) {
    compose[procedurePath(name).join("_")] = (inputs?: Record<string, unknown>) => client.compose(name, inputs);
  }
  const api: Record<string, unknown> = { ...tree, $client: client, $compose: compose };
  for (const extension of extensions) mergeProcedureTrees(api, extension);
  return api as unknown as Api;
}

/** How a token function is called so that the client stores what it issues, if `name` is one. */
function sessionCall(client: MizanClient, name: string): ((input?: unknown) => Promise<unknown>) | undefined {
  switch (name) {
    case TOKEN_FUNCTION:
      return (input) => client.login(input);
    case REFRESH_FUNCTION:
      return () => client.refreshToken();
    case LOGOUT_FUNCTION:
      return async () => {
        await client.logout();
        return null;
      };
    default:
      return undefined;
  }
}

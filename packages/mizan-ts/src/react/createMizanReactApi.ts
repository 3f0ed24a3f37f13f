import type { UseMutationResult, UseQueryResult } from "@tanstack/react-query";
import { buildProcedureTree, mergeProcedureTrees } from "../client/procedurePath.js";
import type { MizanError } from "../client/mizanError.js";
import { getFunctionKey, getQueryKey, type MizanFunctionKey, type MizanQueryKey } from "./getQueryKey.js";
import { useMizanMutation, type MizanMutationOptions } from "./useMizanMutation.js";
import { useMizanQuery, type MizanQueryOptions } from "./useMizanQuery.js";

/** Hooks of a query: `mizan.greet.useQuery({ name })`. */
export interface ReactQueryProcedure<I, O, E = unknown> {
  readonly name: string;
  useQuery(input: I, options?: MizanQueryOptions<O, E>): UseQueryResult<O, MizanError<E>>;
  queryKey(input: I): MizanQueryKey;
  functionKey(): MizanFunctionKey;
}

/** Hooks of a mutation: `mizan.resetGreetings.useMutation()`. */
export interface ReactMutationProcedure<I, O, E = unknown> {
  readonly name: string;
  useMutation(options?: MizanMutationOptions<I, O, E>): UseMutationResult<O, MizanError<E>, I>;
}

/**
 * The object behind a generated React API: the hooks of each function at its
 * `procedurePath`, with `extensions` (channel and form hooks) merged in. The hooks take the
 * client from `MizanProvider`.
 */
export function createMizanReactApi<Api>(
  functions: readonly string[],
  extensions: readonly Readonly<Record<string, unknown>>[] = [],
): Api {
  const tree = buildProcedureTree(functions, (name) => ({
    name,
    useQuery: (input: unknown, options?: MizanQueryOptions<unknown>) => useMizanQuery(name, input, options),
    useMutation: (options?: MizanMutationOptions<unknown, unknown>) => useMizanMutation(name, options),
    queryKey: (input: unknown) => getQueryKey(name, input),
    functionKey: () => getFunctionKey(name),
  }));
  for (const extension of extensions) mergeProcedureTrees(tree, extension);
  return tree as Api;
}

import { useMutation, useQueryClient, type UseMutationOptions, type UseMutationResult } from "@tanstack/react-query";
import { functionMeta, functionsTaggedWith } from "../client/functionTable.js";
import type { MizanError } from "../client/mizanError.js";
import { invalidateFunctions } from "./invalidateFunctions.js";
import { useMizanClient } from "./MizanProvider.js";

export type MizanMutationOptions<I, O, E = unknown> = Omit<UseMutationOptions<O, MizanError<E>, I>, "mutationFn">;

/**
 * `useMutation` for the mutation `fn`. On success it invalidates every query whose
 * function carries a tag the mutation `invalidates` (from the function table), then runs
 * the caller's `onSuccess`.
 */
export function useMizanMutation<I, O, E = unknown>(
  fn: string,
  options?: MizanMutationOptions<I, O, E>,
): UseMutationResult<O, MizanError<E>, I> {
  const client = useMizanClient();
  const queryClient = useQueryClient();
  return useMutation<O, MizanError<E>, I>({
    ...options,
    mutationFn: (input: I) => client.mutate<O>(fn, input),
    onSuccess: async (...args) => {
      const tags = functionMeta(client.functions, fn)?.invalidates ?? [];
      await invalidateFunctions(queryClient, functionsTaggedWith(client.functions, tags));
      await options?.onSuccess?.(...args);
    },
  });
}

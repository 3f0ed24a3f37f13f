import type { QueryClient } from "@tanstack/react-query";
import { decodeTokenClaims } from "../client/decodeTokenClaims.js";
import { functionMeta, type FunctionTable } from "../client/functionTable.js";
import { functionOfQueryKey } from "./getQueryKey.js";

/**
 * Who a token speaks for, as far as cached answers go: its `sub` and `pk` (a refreshed
 * token keeps both), `""` without a token. Read without verifying: it only partitions
 * what this browser shows, the server decides what it answers.
 */
export function viewerOf(token: string | null): string {
  if (token === null) return "";
  const claims = decodeTokenClaims(token);
  return claims === null ? token : `${claims.sub}\u0000${String(claims["pk"])}`;
}

/**
 * Drops every answer that may depend on who asked (all but `public`-scoped queries, whose
 * answer is one for everyone): in-flight requests are cancelled and active queries start
 * over, so after signing out and in as someone else nothing of the previous user is shown.
 */
export async function forgetViewerData(queryClient: QueryClient, functions: FunctionTable): Promise<void> {
  const filters = {
    predicate: (query: { queryKey: readonly unknown[] }) => {
      const fn = functionOfQueryKey(query.queryKey);
      return fn !== undefined && functionMeta(functions, fn)?.cache.scope !== "public";
    },
  };
  await queryClient.cancelQueries(filters);
  await queryClient.resetQueries(filters);
}

import { decodeTokenClaims, isMizanError } from "mizan";
import { useSyncExternalStore } from "react";
import { api } from "./api";
import { useSource } from "./sources";

/** The badge that says where `fn`'s latest answer came from. */
export function SourceBadge({ fn }: { fn: string }) {
  const source = useSource(fn);
  if (source === undefined) return null;
  return (
    <span className={`source source-${source.replace(" ", "-")}`} title={`${fn}: where the last answer came from`} data-source={source}>
      {source}
    </span>
  );
}

/** A failed query or mutation, in words. */
export function ErrorNote({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const text = isMizanError(error) ? `${error.code}: ${error.message}` : String(error);
  return <p className="error">{text}</p>;
}

/** The signed-in token, or null; re-renders on sign-in, refresh and sign-out. */
export function useToken(): string | null {
  const tokens = api.$client.tokens;
  return useSyncExternalStore((listener) => tokens.subscribe(listener), () => tokens.get());
}

export function when(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString();
}

/**
 * Who is signed in, from the token's claims (decoded, not verified: the server verifies).
 * An expired token (a tab reopened after its lifetime; the client never sends one) is no one.
 */
export function useViewer(): { user: string; perms: readonly string[] } | null {
  const token = useToken();
  const claims = token === null ? null : decodeTokenClaims(token);
  if (claims === null || claims.exp <= Date.now() / 1000) return null;
  return { user: claims.sub, perms: claims.perms ?? [] };
}

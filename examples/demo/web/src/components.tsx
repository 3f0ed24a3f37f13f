import { isMizanError, type Session } from "mizan";
import { useSyncExternalStore } from "react";
import { api } from "./api";
import { mizan } from "./mizan/react";
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

/** Who the sign-in cookie speaks for (and until when), or null; re-renders on sign-in, refresh and sign-out. */
export function useSession(): Session | null {
  const client = api.$client;
  return useSyncExternalStore((listener) => client.onSessionChange(listener), () => client.session());
}

export function when(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString();
}

/**
 * Who is signed in: the session's user, with the permissions `me` reports (the cookie is
 * out of the page's reach, so nothing is decoded here; the server decides every call).
 */
export function useViewer(): { user: string; perms: readonly string[] } | null {
  const session = useSession();
  const me = mizan.me.useQuery(null, { enabled: session !== null });
  if (session === null) return null;
  return { user: session.user_id, perms: me.data?.user === session.user_id ? me.data.permissions : [] };
}

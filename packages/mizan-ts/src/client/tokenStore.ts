/**
 * Where the client keeps its token. The default keeps it in memory; an app may persist it
 * (`localStorage`, a cookie it reads) by implementing these three members.
 */
export interface TokenStore {
  get(): string | null;
  set(token: string | null): void;
  /** Called with the new token (or `null`) after every change. Returns an unsubscribe. */
  subscribe(listener: (token: string | null) => void): () => void;
}

/** A `TokenStore` in memory, optionally starting with `initial`. */
export function memoryTokenStore(initial: string | null = null): TokenStore {
  let token = initial;
  const listeners = new Set<(token: string | null) => void>();
  return {
    get: () => token,
    set(next) {
      if (next === token) return;
      token = next;
      for (const listener of [...listeners]) listener(token);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A function's cache policy, as the schema states it. */
export interface FunctionCacheMeta {
  readonly scope: "none" | "public" | "permission" | "user";
  readonly ttlSeconds: number | null;
  /** Every tag whose purge invalidates the function: its own name first. */
  readonly tags: readonly string[];
}

/** What the runtime needs to know of one function; codegen emits one per function. */
export interface FunctionMeta {
  readonly kind: "query" | "mutation";
  readonly context: string | null;
  readonly cache: FunctionCacheMeta;
  /** Tags a mutation purges after each success. */
  readonly invalidates: readonly string[];
  /** Who may call it, as the schema says: the origin enforces it, and the edge applies it before its cache (`parseAccessRule`). */
  readonly access?: { readonly kind: string; readonly permissions?: readonly string[] };
  /** Free metadata; forms set `form`. */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** Function name → metadata: the generated `functions` table. */
export type FunctionTable = Readonly<Record<string, FunctionMeta>>;

/** The metadata of `fn`, if the table knows it (own properties only). */
export function functionMeta(table: FunctionTable, fn: string): FunctionMeta | undefined {
  return Object.hasOwn(table, fn) ? table[fn] : undefined;
}

/** The functions of `table` carrying at least one of `tags`: what a purge of `tags` makes stale. */
export function functionsTaggedWith(table: FunctionTable, tags: Iterable<string>): Set<string> {
  const wanted = new Set(tags);
  const found = new Set<string>();
  for (const [name, meta] of Object.entries(table)) {
    if (meta.cache.tags.some((tag) => wanted.has(tag))) found.add(name);
  }
  return found;
}

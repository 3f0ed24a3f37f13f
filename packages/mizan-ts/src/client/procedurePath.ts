import { isRecord } from "../core/isRecord.js";

/**
 * Where a function sits in the typed API object: its dotted name's segments in camelCase
 * (`posts.get_all` → `["posts", "getAll"]`). Codegen and the runtime both use it, so the
 * generated types and the object built at runtime cannot disagree.
 */
export function procedurePath(name: string): string[] {
  return name.split(".").map((segment) => segment.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
}

/**
 * Builds the nested object codegen describes: one leaf per name at `procedurePath(name)`,
 * made by `leaf`.
 *
 * @throws {Error} when a name is both a function and a namespace (`posts` and `posts.get`).
 */
export function buildProcedureTree(names: readonly string[], leaf: (name: string) => object): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const leaves = new Set<object>();
  for (const name of names) {
    const path = procedurePath(name);
    let node = root;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      if (next !== undefined && leaves.has(next as object))
        throw new Error(`${name}: a function already uses the name ${segment}`);
      node = (next ?? (node[segment] = {})) as Record<string, unknown>;
    }
    const last = path[path.length - 1] as string;
    if (Object.hasOwn(node, last)) throw new Error(`${name}: the name ${last} is taken`);
    const made = leaf(name);
    leaves.add(made);
    node[last] = made;
  }
  return root;
}

/**
 * Merges `source` into `target` in place, object into object: how extensions (a form's
 * `useForm` next to its `submit` and `validate`, a channel's `subscribe`) join the
 * procedure tree.
 *
 * @throws {Error} when both sides define the same member and one of them is not an object.
 */
export function mergeProcedureTrees(
  target: Record<string, unknown>,
  source: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing === undefined) target[key] = value;
    else if (isRecord(existing) && isRecord(value)) mergeProcedureTrees(existing, value);
    else throw new Error(`${key}: two extensions define the same member`);
  }
  return target;
}

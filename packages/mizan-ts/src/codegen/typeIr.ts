/**
 * The intermediate representation codegen lowers JSON Schema to, before any TypeScript
 * is written (the split specta makes between `specta` and `specta-typescript`): the
 * converter answers "what type is this", the renderer only "how is it spelled".
 */
export type TypeIr =
  | { readonly kind: "primitive"; readonly name: "string" | "number" | "boolean" | "null" | "unknown" | "never" }
  | { readonly kind: "literal"; readonly value: string | number | boolean | null }
  | { readonly kind: "array"; readonly item: TypeIr }
  | { readonly kind: "tuple"; readonly items: readonly TypeIr[]; readonly rest: TypeIr | null }
  | {
      readonly kind: "object";
      readonly properties: readonly PropertyIr[];
      /** The type of members not listed, or `null` when there are none. */
      readonly additional: TypeIr | null;
    }
  | { readonly kind: "union"; readonly members: readonly TypeIr[] }
  | { readonly kind: "intersection"; readonly members: readonly TypeIr[] }
  | { readonly kind: "ref"; readonly name: string };

export interface PropertyIr {
  readonly name: string;
  readonly type: TypeIr;
  readonly optional: boolean;
  readonly description: string | null;
}

/** A named type the output declares once (a `$defs` entry or a function's input/output). */
export interface NamedTypeIr {
  readonly name: string;
  readonly type: TypeIr;
  readonly description: string | null;
}

export const UNKNOWN: TypeIr = { kind: "primitive", name: "unknown" };
export const NEVER: TypeIr = { kind: "primitive", name: "never" };

/** A union without duplicates; one member is itself, none is `never`. */
export function union(members: readonly TypeIr[]): TypeIr {
  const flat: TypeIr[] = [];
  const seen = new Set<string>();
  for (const member of members.flatMap((m) => (m.kind === "union" ? m.members : [m]))) {
    const key = JSON.stringify(member);
    if (!seen.has(key)) {
      seen.add(key);
      flat.push(member);
    }
  }
  if (flat.some((m) => m.kind === "primitive" && m.name === "unknown")) return UNKNOWN;
  const kept = flat.filter((m) => !(m.kind === "primitive" && m.name === "never"));
  if (kept.length === 0) return NEVER;
  return kept.length === 1 ? (kept[0] as TypeIr) : { kind: "union", members: kept };
}

/** An intersection; `unknown` members drop out. */
export function intersection(members: readonly TypeIr[]): TypeIr {
  const kept = members.filter((m) => !(m.kind === "primitive" && m.name === "unknown"));
  if (kept.length === 0) return UNKNOWN;
  return kept.length === 1 ? (kept[0] as TypeIr) : { kind: "intersection", members: kept };
}

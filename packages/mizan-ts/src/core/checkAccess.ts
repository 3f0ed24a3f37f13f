/** A function's access rule, as the schema document writes it (`functions.*.access`). */
export type AccessRule =
  | { readonly kind: "public" }
  | { readonly kind: "authenticated" }
  | { readonly kind: "permissions"; readonly permissions: readonly string[] };

/** `allow`, or the error code the origin refuses the call with (`spec/vectors/access.json`). */
export type AccessDecision = "allow" | "unauthenticated" | "forbidden";

/** What a decision needs of a verified token: its permission names (none when `perms` is absent). */
export interface AccessClaims {
  readonly perms?: readonly string[];
}

/**
 * The rule from untrusted JSON (a generated table, a binding): `undefined` unless it is exactly
 * one of the three shapes, so that a caller who cannot read the rule treats it as unknown.
 */
export function parseAccessRule(value: unknown): AccessRule | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { kind, permissions } = value as { kind?: unknown; permissions?: unknown };
  if (kind === "public" || kind === "authenticated") return { kind };
  if (kind !== "permissions" || !Array.isArray(permissions) || permissions.length === 0) return undefined;
  if (!permissions.every((p): p is string => typeof p === "string" && p !== "")) return undefined;
  return { kind, permissions };
}

/**
 * The origin's access decision (`Access::check` in the Rust core): no token where one is
 * needed is `unauthenticated`; a token lacking any required permission is `forbidden`.
 * Names match exactly. `claims` must come from a verified token, or be `null`.
 */
export function checkAccess(rule: AccessRule, claims: AccessClaims | null): AccessDecision {
  if (rule.kind === "public") return "allow";
  if (claims === null) return "unauthenticated";
  if (rule.kind === "authenticated") return "allow";
  const granted = new Set(claims.perms ?? []);
  return rule.permissions.every((p) => granted.has(p)) ? "allow" : "forbidden";
}

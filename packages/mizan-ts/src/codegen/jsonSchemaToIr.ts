import { isRecord } from "../core/isRecord.js";
import type { JsonSchema } from "./schemaDocument.js";
import { intersection, NEVER, union, UNKNOWN, type NamedTypeIr, type PropertyIr, type TypeIr } from "./typeIr.js";

type SchemaObject = { readonly [keyword: string]: unknown };

/**
 * Lowers the JSON Schemas (2020-12, as `schemars` emits them) of a whole schema document to
 * named IR types. Each root is self-contained with its own `$defs`; a definition that two
 * roots share under one name with the same shape is declared once, and when the shapes
 * differ the later root's definitions are prefixed with its name, so no name ever means
 * two types.
 *
 * Handled: `type` (single and arrays), `properties`/`required`/`additionalProperties`/
 * `patternProperties`, `items`, `prefixItems` (tuples), `enum`, `const`, `oneOf`, `anyOf`,
 * `allOf`, `$ref` to `#`, `#/$defs/*` and `#/definitions/*`, boolean schemas and
 * `description`. Anything else (formats, bounds, patterns) does not change the TypeScript
 * type and is ignored; an unresolvable `$ref` becomes `unknown`.
 */
export class JsonSchemaConverter {
  readonly #named = new Map<string, NamedTypeIr>();

  /** Every named type so far, in declaration order. */
  namedTypes(): NamedTypeIr[] {
    return [...this.#named.values()];
  }

  /**
   * Declares `schema` as the type `name` (with its `$defs`) and returns a reference to it.
   * A root that is a declared type (an object or an enum whose `title` is the Rust type's
   * name) is declared once under that title, and `name` becomes an alias of it: the output
   * of `create_post` and the items of `list_posts` are one `Post`, not two copies.
   */
  addRoot(name: string, schema: JsonSchema): TypeIr {
    const title = declaredTitle(schema);
    if (title !== undefined && title !== name && this.#declare(title, schema, "")) {
      this.#named.set(name, { name, type: { kind: "ref", name: title }, description: descriptionOf(schema) });
      return { kind: "ref", name };
    }
    if (!this.#declare(name, schema, "")) this.#declare(name, schema, name);
    return { kind: "ref", name };
  }

  /** Adds the root `name` and its definitions unless one of them would mean another type; says whether it did. */
  #declare(name: string, schema: JsonSchema, prefix: string): boolean {
    const defs = definitionsOf(schema);
    const converted = this.#convertRoot(name, schema, defs, prefix);
    if (prefix === "" && converted.some((named) => this.#clashes(named))) return false;
    for (const named of converted) if (!this.#named.has(named.name)) this.#named.set(named.name, named);
    return true;
  }

  #clashes(named: NamedTypeIr): boolean {
    const existing = this.#named.get(named.name);
    return existing !== undefined && JSON.stringify(existing.type) !== JSON.stringify(named.type);
  }

  #convertRoot(name: string, root: JsonSchema, defs: Map<string, JsonSchema>, prefix: string): NamedTypeIr[] {
    const names = new Map([...defs.keys()].map((def) => [def, prefix + typeName(def)]));
    const resolve = (ref: string): TypeIr => {
      if (ref === "#") return { kind: "ref", name };
      const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
      const def = match?.[1] === undefined ? undefined : decodePointer(match[1]);
      const target = def === undefined ? undefined : names.get(def);
      return target === undefined ? UNKNOWN : { kind: "ref", name: target };
    };
    const result: NamedTypeIr[] = [{ name, type: convert(root, resolve), description: descriptionOf(root) }];
    for (const [def, schema] of defs) {
      result.push({ name: names.get(def) as string, type: convert(schema, resolve), description: descriptionOf(schema) });
    }
    return result;
  }
}

/** The `title` of a schema that declares a named object or enum (schemars writes the Rust type's name there). */
function declaredTitle(schema: JsonSchema): string | undefined {
  if (typeof schema !== "object") return undefined;
  const title = schema["title"];
  if (typeof title !== "string" || !/^[A-Z][A-Za-z0-9]*$/.test(title)) return undefined;
  const declaresType =
    ["properties", "enum", "oneOf", "anyOf"].some((k) => Object.hasOwn(schema, k)) || schema["type"] === "object";
  return declaresType ? title : undefined;
}

function definitionsOf(schema: JsonSchema): Map<string, JsonSchema> {
  const defs = new Map<string, JsonSchema>();
  if (typeof schema === "boolean") return defs;
  for (const keyword of ["definitions", "$defs"]) {
    const section = schema[keyword];
    if (isRecord(section)) for (const [key, value] of Object.entries(section)) defs.set(key, value as JsonSchema);
  }
  return defs;
}

function convert(schema: JsonSchema, resolve: (ref: string) => TypeIr): TypeIr {
  if (schema === true) return UNKNOWN;
  if (schema === false) return NEVER;
  const parts: TypeIr[] = [];
  if (typeof schema["$ref"] === "string") parts.push(resolve(schema["$ref"]));
  if (Object.hasOwn(schema, "const")) {
    parts.push(literal(schema["const"]));
  } else if (Array.isArray(schema["enum"])) {
    parts.push(union(schema["enum"].map(literal)));
  } else {
    const base = baseType(schema, resolve);
    if (base !== null) parts.push(base);
  }
  if (Array.isArray(schema["allOf"])) parts.push(...schema["allOf"].map((s) => convert(s as JsonSchema, resolve)));
  for (const keyword of ["oneOf", "anyOf"]) {
    const options = schema[keyword];
    if (Array.isArray(options)) parts.push(union(options.map((s) => convert(s as JsonSchema, resolve))));
  }
  return intersection(parts);
}

function baseType(schema: SchemaObject, resolve: (ref: string) => TypeIr): TypeIr | null {
  const declared = schema["type"];
  const types =
    typeof declared === "string"
      ? [declared]
      : Array.isArray(declared)
        ? declared.filter((t): t is string => typeof t === "string")
        : inferredTypes(schema);
  if (types.length === 0) return null;
  return union(types.map((type) => typeFor(type, schema, resolve)));
}

function inferredTypes(schema: SchemaObject): string[] {
  if (["properties", "additionalProperties", "patternProperties", "required"].some((k) => Object.hasOwn(schema, k))) {
    return ["object"];
  }
  if (Object.hasOwn(schema, "items") || Object.hasOwn(schema, "prefixItems")) return ["array"];
  return [];
}

function typeFor(type: string, schema: SchemaObject, resolve: (ref: string) => TypeIr): TypeIr {
  switch (type) {
    case "string":
    case "boolean":
    case "null":
      return { kind: "primitive", name: type };
    case "integer":
    case "number":
      return { kind: "primitive", name: "number" };
    case "array":
      return arrayType(schema, resolve);
    case "object":
      return objectType(schema, resolve);
    default:
      return UNKNOWN;
  }
}

function arrayType(schema: SchemaObject, resolve: (ref: string) => TypeIr): TypeIr {
  const items = schema["items"];
  const rest = items === undefined ? UNKNOWN : convert(items as JsonSchema, resolve);
  if (Array.isArray(schema["prefixItems"])) {
    const tuple = schema["prefixItems"].map((s) => convert(s as JsonSchema, resolve));
    const isClosed = rest.kind === "primitive" && rest.name === "never";
    return { kind: "tuple", items: tuple, rest: isClosed ? null : rest };
  }
  return { kind: "array", item: rest };
}

function objectType(schema: SchemaObject, resolve: (ref: string) => TypeIr): TypeIr {
  const required = new Set(Array.isArray(schema["required"]) ? schema["required"] : []);
  const declared = isRecord(schema["properties"]) ? Object.entries(schema["properties"]) : [];
  const properties: PropertyIr[] = declared.map(([name, property]) => ({
    name,
    type: convert(property as JsonSchema, resolve),
    optional: !required.has(name),
    description: descriptionOf(property as JsonSchema),
  }));
  const extra: TypeIr[] = [];
  const additional = schema["additionalProperties"];
  if (additional !== undefined && additional !== false) extra.push(convert(additional as JsonSchema, resolve));
  if (isRecord(schema["patternProperties"])) {
    for (const pattern of Object.values(schema["patternProperties"])) extra.push(convert(pattern as JsonSchema, resolve));
  }
  // An object schema that names no members is a map: `{ [key: string]: unknown }`.
  if (extra.length === 0 && properties.length === 0 && additional !== false) extra.push(UNKNOWN);
  // Named members must fit the index signature, so a typed map with members widens to unknown.
  const rest = extra.length === 0 ? null : properties.length > 0 ? UNKNOWN : union(extra);
  return { kind: "object", properties, additional: rest };
}

function literal(value: unknown): TypeIr {
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    return { kind: "literal", value };
  }
  return UNKNOWN;
}

function descriptionOf(schema: JsonSchema): string | null {
  return typeof schema === "object" && typeof schema["description"] === "string" ? schema["description"] : null;
}

function decodePointer(segment: string): string {
  return decodeURIComponent(segment).replace(/~1/g, "/").replace(/~0/g, "~");
}

/** `posts.get` → `PostsGet`, `snake_case` → `SnakeCase`, anything else made a valid identifier. */
export function typeName(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  const joined = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
  return /^[0-9]/.test(joined) || joined === "" ? `T${joined}` : joined;
}

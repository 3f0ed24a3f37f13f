import { CanonicalJsonError } from "./canonicalJsonError.js";

// In `u` mode a surrogate pair is one code point, so this matches only unpaired halves.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The RFC 8785 (JCS) canonical form of a JSON value, as produced by `JSON.parse`.
 *
 * - object members sorted by name as UTF-16 code units (JavaScript's default order);
 * - numbers as ECMAScript `Number.prototype.toString` writes them (`-0` becomes `0`);
 * - strings with the minimal escapes `JSON.stringify` uses; no whitespace anywhere.
 *
 * ```ts
 * canonicalize({ b: [1.0, 1e21, -0], a: "é\n" }); // '{"a":"é\\n","b":[1,1e+21,0]}'
 * ```
 *
 * @throws {CanonicalJsonError} `lone_surrogate` for a string (or member name) with an
 *   unpaired surrogate, `number_out_of_range` for `NaN` and `±Infinity`,
 *   `unsupported_type` for `undefined`, functions, symbols, bigints and objects that are
 *   not plain objects or arrays, and `cycle` for self-containing values.
 */
export function canonicalize(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, new Set<object>());
  return parts.join("");
}

function write(value: unknown, out: string[], ancestors: Set<object>): void {
  switch (typeof value) {
    case "string":
      out.push(quote(value));
      return;
    case "number":
      if (!Number.isFinite(value)) {
        throw new CanonicalJsonError("number_out_of_range", `${String(value)} is not a finite number`);
      }
      // ES Number::toString is exactly the JCS number format; it also maps -0 to "0".
      out.push(String(value));
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "object":
      if (value === null) {
        out.push("null");
        return;
      }
      if (ancestors.has(value)) {
        throw new CanonicalJsonError("cycle", "value contains itself");
      }
      ancestors.add(value);
      if (Array.isArray(value)) {
        writeArray(value, out, ancestors);
      } else {
        writeObject(value, out, ancestors);
      }
      ancestors.delete(value);
      return;
    default:
      throw new CanonicalJsonError("unsupported_type", `${typeof value} has no JSON form`);
  }
}

function writeArray(items: readonly unknown[], out: string[], ancestors: Set<object>): void {
  out.push("[");
  // An index loop, not forEach: holes in sparse arrays must be seen (and rejected).
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out.push(",");
    write(items[i], out, ancestors);
  }
  out.push("]");
}

function writeObject(object: object, out: string[], ancestors: Set<object>): void {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    const kind = (object.constructor as { name?: unknown } | undefined)?.name;
    throw new CanonicalJsonError(
      "unsupported_type",
      `${typeof kind === "string" && kind !== "" ? kind : "non-plain object"} has no JSON form`,
    );
  }
  const record = object as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is the order RFC 8785 prescribes.
  const names = Object.keys(record).sort();
  out.push("{");
  names.forEach((name, i) => {
    if (i > 0) out.push(",");
    out.push(quote(name), ":");
    write(record[name], out, ancestors);
  });
  out.push("}");
}

function quote(text: string): string {
  if (LONE_SURROGATE.test(text)) {
    throw new CanonicalJsonError("lone_surrogate", `string ${JSON.stringify(text)} contains a lone surrogate`);
  }
  // With lone surrogates excluded, JSON.stringify's string escaping is exactly JCS's.
  return JSON.stringify(text);
}

import type { FieldError } from "../client/mizanError.js";
import type { FormDefinition, FormField } from "./formDefinition.js";
import { isRecord } from "../core/isRecord.js";
import type { FieldErrorCode } from "./fieldErrorCodes.js";
import { isEmail, isUrl } from "./formats.js";

export interface ValidateFormOptions {
  /**
   * `"all"` (default): every problem of every field, for a form to show at once.
   * `"server"`: what the server answers (`spec/PROTOCOL.md` §4.1): the first decoding
   * problem alone when there is one, else every violated rule.
   */
  readonly mode?: "all" | "server";
}

/** A field error this check finds: its code is always one of the table's. */
type FoundError = FieldError & { readonly code: FieldErrorCode };

/** The bounds of schemars' integer formats, which the server enforces while decoding. */
const INTEGER_FORMATS: Readonly<Record<string, readonly [number | bigint, number | bigint, string]>> = {
  uint8: [0, 255, "u8"],
  uint16: [0, 65_535, "u16"],
  uint32: [0, 4_294_967_295, "u32"],
  uint64: [0, 18_446_744_073_709_551_615n, "u64"],
  uint: [0, 18_446_744_073_709_551_615n, "usize"],
  int8: [-128, 127, "i8"],
  int16: [-32_768, 32_767, "i16"],
  int32: [-2_147_483_648, 2_147_483_647, "i32"],
  int64: [-9_223_372_036_854_775_808n, 9_223_372_036_854_775_807n, "i64"],
  int: [-9_223_372_036_854_775_808n, 9_223_372_036_854_775_807n, "isize"],
};

/**
 * Checks `value` against a form's fields, with the server's codes and paths
 * (`spec/PROTOCOL.md` §4.2): `required`, `type`, `unknown_field`, `choice` and integer
 * `range` while decoding; then `length` (code points for strings, item counts for lists),
 * `range`, `pattern` (unanchored, as `RegExp.test`), `email` and `url` for the rules.
 * Results are sorted by path. An `undefined` property counts as absent, as a form's
 * unset input does.
 *
 * A JavaScript number cannot say whether it was written `18` or `18.0`; the server
 * refuses the latter for an integer, this check accepts it. `multipleOf` and
 * `uniqueItems` have no field-error code and are left to the server.
 */
export function validateForm(form: FormDefinition, value: unknown, options: ValidateFormOptions = {}): FieldError[] {
  const decoding: FoundError[] = [];
  decodeObject(form.fields, form.denyUnknownFields === true, value, "", decoding);
  if (options.mode === "server" && decoding.length > 0) return decoding.slice(0, 1);
  const rules: FoundError[] = [];
  checkObject(form.fields, value, "", rules, new Set(decoding.map((e) => e.path)));
  return sortByPath([...decoding, ...rules]);
}

function join(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "sequence";
  if (typeof value === "object") return "map";
  if (typeof value === "number") return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects returned above: booleans and the like are left
  return `${typeof value} \`${String(value)}\``;
}

/** Decoding: the shape of the JSON, in the order the server meets it (present keys, then missing ones). */
function decodeObject(fields: readonly FormField[], closed: boolean, value: unknown, path: string, out: FoundError[]): void {
  if (!isRecord(value)) {
    out.push({ path, code: "type", message: `invalid type: ${describe(value)}, expected a map` });
    return;
  }
  const byName = new Map(fields.map((field) => [field.name ?? "", field]));
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const field = byName.get(key);
    if (field === undefined) {
      if (closed) out.push({ path: join(path, key), code: "unknown_field", message: `unknown field \`${key}\`` });
      continue;
    }
    decodeField(field, item, join(path, key), out);
  }
  for (const field of fields) {
    const name = field.name ?? "";
    if (value[name] === undefined && field.required && !Object.hasOwn(field, "default")) {
      out.push({ path: join(path, name), code: "required", message: `missing field \`${name}\`` });
    }
  }
}

function decodeField(field: FormField, value: unknown, path: string, out: FoundError[]): void {
  if (value === null) {
    if (!field.nullable && field.type !== "any")
      out.push({ path, code: "type", message: `invalid type: null, expected ${field.type}` });
    return;
  }
  const wrongType = (): void => {
    out.push({ path, code: "type", message: `invalid type: ${describe(value)}, expected ${field.type}` });
  };
  if (field.choices !== undefined) {
    const allStrings = field.choices.every((choice) => typeof choice === "string");
    if (allStrings && typeof value !== "string") return wrongType();
    if (!field.choices.some((choice) => choice === value)) {
      const expected = field.choices.map((choice) => `\`${String(choice)}\``).join(", ");
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- as serde words it; choices are scalars
      out.push({ path, code: "choice", message: `unknown variant \`${String(value)}\`, expected one of ${expected}` });
    }
    return;
  }
  switch (field.type) {
    case "string":
      if (typeof value !== "string") wrongType();
      return;
    case "boolean":
      if (typeof value !== "boolean") wrongType();
      return;
    case "number":
      if (typeof value !== "number") wrongType();
      return;
    case "integer": {
      if (typeof value !== "number" || !Number.isInteger(value)) return wrongType();
      const bounds = field.constraints?.format === undefined ? undefined : INTEGER_FORMATS[field.constraints.format];
      if (bounds !== undefined && (value < bounds[0] || value > bounds[1])) {
        out.push({ path, code: "range", message: `invalid value: integer \`${value}\`, expected ${bounds[2]}` });
      }
      return;
    }
    case "object":
      if (field.fields !== undefined) decodeObject(field.fields, false, value, path, out);
      else if (!isRecord(value)) wrongType();
      return;
    case "array":
      if (!Array.isArray(value)) return wrongType();
      if (field.items !== undefined) {
        const items = field.items;
        value.forEach((item, index) => {
          if (item === undefined) return;
          decodeField(items, item, join(path, index), out);
        });
      }
      return;
    case "any":
      return;
  }
}

/** Rules: every violated keyword of the fields that decoded. */
function checkObject(
  fields: readonly FormField[],
  value: unknown,
  path: string,
  out: FoundError[],
  broken: ReadonlySet<string>,
): void {
  if (!isRecord(value)) return;
  for (const field of fields) {
    const name = field.name ?? "";
    const item = value[name];
    if (item !== undefined) checkField(field, item, join(path, name), out, broken);
  }
}

function between(min: number | undefined, max: number | undefined, what: string): string {
  if (min !== undefined && max !== undefined) return `${what} must be between ${min} and ${max}`;
  return min !== undefined ? `${what} must be at least ${min}` : `${what} must be at most ${max ?? ""}`;
}

function checkField(field: FormField, value: unknown, path: string, out: FoundError[], broken: ReadonlySet<string>): void {
  if (value === null || broken.has(path)) return;
  const c = field.constraints ?? {};
  if (typeof value === "string") {
    const length = [...value].length;
    if ((c.minLength !== undefined && length < c.minLength) || (c.maxLength !== undefined && length > c.maxLength)) {
      out.push({ path, code: "length", message: between(c.minLength, c.maxLength, "length") });
    }
    if (c.pattern !== undefined && !matches(c.pattern, value)) {
      out.push({ path, code: "pattern", message: `must match the pattern ${c.pattern}` });
    }
    if (c.format === "email" && !isEmail(value)) out.push({ path, code: "email", message: "must be an email address" });
    if ((c.format === "uri" || c.format === "url") && !isUrl(value)) out.push({ path, code: "url", message: "must be a URL" });
    return;
  }
  if (typeof value === "number") {
    const low = c.minimum !== undefined && value < c.minimum;
    const high = c.maximum !== undefined && value > c.maximum;
    const lowEx = c.exclusiveMinimum !== undefined && value <= c.exclusiveMinimum;
    const highEx = c.exclusiveMaximum !== undefined && value >= c.exclusiveMaximum;
    if (low || high) out.push({ path, code: "range", message: between(c.minimum, c.maximum, "value") });
    else if (lowEx || highEx) {
      out.push({ path, code: "range", message: between(c.exclusiveMinimum, c.exclusiveMaximum, "value (exclusive)") });
    }
    return;
  }
  if (Array.isArray(value)) {
    if ((c.minItems !== undefined && value.length < c.minItems) || (c.maxItems !== undefined && value.length > c.maxItems)) {
      // A list's own length comes first; its items are not checked then (§4.1).
      out.push({ path, code: "length", message: between(c.minItems, c.maxItems, "length") });
      return;
    }
    const items = field.items;
    if (items !== undefined)
      value.forEach((item, index) => item !== undefined && checkField(items, item, join(path, index), out, broken));
    return;
  }
  if (isRecord(value) && field.fields !== undefined) checkObject(field.fields, value, path, out, broken);
}

function sortByPath(errors: FieldError[]): FieldError[] {
  return errors
    .map((error, index) => ({ error, index }))
    .sort((a, b) => (a.error.path < b.error.path ? -1 : a.error.path > b.error.path ? 1 : a.index - b.index))
    .map(({ error }) => error);
}

/** `RegExp.test` with the pattern as ECMA-262 reads it; a pattern this engine rejects is left to the server. */
function matches(pattern: string, value: string): boolean {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, "u");
  } catch {
    return true;
  }
  return regex.test(value);
}

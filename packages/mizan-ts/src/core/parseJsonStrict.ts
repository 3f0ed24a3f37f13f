import { CanonicalJsonError } from "./canonicalJsonError.js";

/**
 * Objects and arrays may nest this deep and no deeper: serde_json's limit, so that both
 * sides accept exactly the same texts.
 */
export const MAX_JSON_DEPTH = 127;

/**
 * `JSON.parse`, with the failures RFC 8785 cares about classified the way the Rust core
 * classifies them: a repeated member name is `duplicate_key` (where `JSON.parse` would let
 * the last one win), a number beyond the double range is `number_out_of_range` (where
 * `JSON.parse` would return `Infinity`), nesting deeper than `MAX_JSON_DEPTH` and anything
 * else unparseable is `syntax`. Lone surrogates are left in the result; `canonicalize`
 * rejects them.
 *
 * @throws {CanonicalJsonError}
 */
export function parseJsonStrict(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CanonicalJsonError("syntax", error instanceof Error ? error.message : "invalid JSON");
  }
  checkMembers(text);
  checkNumbers(value);
  return value;
}

interface Frame {
  readonly names: Set<string> | null; // null for an array
  expectName: boolean;
}

// JSON.parse has accepted the text, so only strings and brackets need tracking here;
// a second full parser (or a dependency carrying one) would re-check everything else.
function checkMembers(text: string): void {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      const end = endOfString(text, i);
      if (top?.names && top.expectName) {
        const name = JSON.parse(text.slice(i, end)) as string;
        if (top.names.has(name)) {
          throw new CanonicalJsonError("duplicate_key", `duplicate object member ${JSON.stringify(name)}`);
        }
        top.names.add(name);
        top.expectName = false;
      }
      i = end;
      continue;
    }
    if (c === "{" || c === "[") {
      if (stack.length === MAX_JSON_DEPTH) {
        throw new CanonicalJsonError("syntax", `nesting deeper than ${MAX_JSON_DEPTH} levels`);
      }
      stack.push(c === "{" ? { names: new Set(), expectName: true } : { names: null, expectName: false });
    } else if (c === "}" || c === "]") stack.pop();
    else if (c === "," && top?.names) top.expectName = true;
    i++;
  }
}

function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i + 1;
}

function checkNumbers(value: unknown): void {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new CanonicalJsonError("number_out_of_range", "number out of range of an IEEE 754 double");
    }
  } else if (Array.isArray(value)) {
    value.forEach(checkNumbers);
  } else if (typeof value === "object" && value !== null) {
    Object.values(value).forEach(checkNumbers);
  }
}

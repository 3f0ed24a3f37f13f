import { describe, expect, it } from "vitest";
import { CanonicalJsonError } from "./canonicalJsonError.js";
import { parseJsonStrict } from "./parseJsonStrict.js";

function codeOf(text: string): string {
  try {
    parseJsonStrict(text);
  } catch (error) {
    if (error instanceof CanonicalJsonError) return error.code;
    throw error;
  }
  return "no error";
}

describe("parseJsonStrict", () => {
  it("parses what JSON.parse parses", () => {
    expect(parseJsonStrict(' {"a": [1, "x", {"b": null}]} ')).toEqual({ a: [1, "x", { b: null }] });
  });

  it("rejects duplicate member names at any depth, even when escaped differently", () => {
    expect(codeOf('{"a":1,"a":2}')).toBe("duplicate_key");
    expect(codeOf('[{"x":{"k":1,"\\u006b":2}}]')).toBe("duplicate_key");
  });

  it("does not mistake equal names in different objects or string values for duplicates", () => {
    expect(codeOf('{"a":{"a":1},"b":[{"a":2},{"a":3}],"c":"a"}')).toBe("no error");
    expect(codeOf('{"a":"\\"a\\":","b":"{\\"a\\""}')).toBe("no error");
  });

  it("classifies numbers beyond the double range and syntax errors", () => {
    expect(codeOf("[1e400]")).toBe("number_out_of_range");
    expect(codeOf("-1e400")).toBe("number_out_of_range");
    expect(codeOf("{")).toBe("syntax");
    expect(codeOf("[1,]")).toBe("syntax");
    expect(codeOf("")).toBe("syntax");
  });

  it("allows 127 levels of nesting and refuses 128, as serde_json does", () => {
    expect(codeOf("[".repeat(127) + "]".repeat(127))).toBe("no error");
    expect(codeOf('{"a":'.repeat(127) + "1" + "}".repeat(127))).toBe("no error");
    expect(codeOf("[".repeat(128) + "]".repeat(128))).toBe("syntax");
    expect(codeOf("[".repeat(64) + '{"a":'.repeat(64) + "1" + "}".repeat(64) + "]".repeat(64))).toBe("syntax");
  });

  it("leaves lone surrogates for canonicalize to reject", () => {
    expect(parseJsonStrict('"\\ud800"')).toBe("\ud800");
  });
});

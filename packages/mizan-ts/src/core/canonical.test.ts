import { describe, expect, it } from "vitest";
import { canonicalize } from "./canonical.js";
import { CanonicalJsonError, type CanonicalJsonErrorCode } from "./canonicalJsonError.js";

function codeOf(run: () => unknown): CanonicalJsonErrorCode | "no error" {
  try {
    run();
  } catch (error) {
    if (error instanceof CanonicalJsonError) return error.code;
    throw error;
  }
  return "no error";
}

function double(bits: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}

describe("canonicalize", () => {
  it("writes the RFC 8785 §3.2.2 sample", () => {
    const text = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    expect(canonicalize(JSON.parse(text))).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it("sorts members by UTF-16 code units (RFC 8785 §3.2.3)", () => {
    const value = JSON.parse(
      String.raw`{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Dalet","1":"One","\ud83d\ude00":"Emoji","\u0080":"Control","\u00f6":"o umlaut"}`,
    ) as Record<string, string>;
    // Read the names back in text order (Object.keys would put "1" first, as an index).
    const order = [...canonicalize(value).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]!}"`) as string);
    expect(order).toEqual(["\r", "1", "\u0080", "ö", "€", "😀", "\ufb33"]);
  });

  it.each([
    [0x0000000000000000n, "0"],
    [0x8000000000000000n, "0"],
    [0x0000000000000001n, "5e-324"],
    [0x8000000000000001n, "-5e-324"],
    [0x7fefffffffffffffn, "1.7976931348623157e+308"],
    [0x4340000000000000n, "9007199254740992"],
    [0xc340000000000000n, "-9007199254740992"],
    [0x4430000000000000n, "295147905179352830000"],
    [0x44b52d02c7e14af5n, "9.999999999999997e+22"],
    [0x44b52d02c7e14af6n, "1e+23"],
    [0x444b1ae4d6e2ef50n, "1e+21"],
    [0x444b1ae4d6e2ef4fn, "999999999999999900000"],
    [0x3eb0c6f7a0b5ed8cn, "9.999999999999997e-7"],
    [0x3eb0c6f7a0b5ed8dn, "0.000001"],
    [0x41b3de4355555557n, "333333333.33333343"],
    [0xbecbf647612f3696n, "-0.0000033333333333333333"],
    [0x43143ff3c1cb0959n, "1424953923781206.2"],
  ])("writes the double 0x%s as in the RFC 8785 Appendix B table", (bits, expected) => {
    expect(canonicalize(double(bits))).toBe(expected);
  });

  it("rounds integers beyond 2^53 as JavaScript parses them", () => {
    expect(canonicalize(JSON.parse("9007199254740993"))).toBe("9007199254740992");
    expect(canonicalize(JSON.parse("18446744073709551615"))).toBe("18446744073709552000");
    expect(canonicalize(JSON.parse("-0.0"))).toBe("0");
  });

  it("escapes only what JCS requires", () => {
    expect(canonicalize('\u0000\u001f\u007f\b\t\n\f\r"\\/é😀\u2028')).toBe(
      '"\\u0000\\u001f\u007f\\b\\t\\n\\f\\r\\"\\\\/é😀\u2028"',
    );
  });

  it("writes nested empty containers and literals without whitespace", () => {
    expect(canonicalize({ b: [], a: { d: {}, c: [null, true, false] } })).toBe('{"a":{"c":[null,true,false],"d":{}},"b":[]}');
  });

  it("accepts surrogate pairs and rejects lone surrogates, in values and member names", () => {
    expect(canonicalize("\ud83d\ude00")).toBe('"😀"');
    expect(codeOf(() => canonicalize("\ud800"))).toBe("lone_surrogate");
    expect(codeOf(() => canonicalize("a\udc00b"))).toBe("lone_surrogate");
    expect(codeOf(() => canonicalize({ "\ude00\ud83d": 1 }))).toBe("lone_surrogate");
  });

  it("rejects numbers that are not finite doubles", () => {
    expect(codeOf(() => canonicalize(Number.NaN))).toBe("number_out_of_range");
    expect(codeOf(() => canonicalize([Number.POSITIVE_INFINITY]))).toBe("number_out_of_range");
    expect(codeOf(() => canonicalize({ x: Number.NEGATIVE_INFINITY }))).toBe("number_out_of_range");
  });

  it("rejects values JSON cannot carry instead of dropping them", () => {
    expect(codeOf(() => canonicalize(undefined))).toBe("unsupported_type");
    expect(codeOf(() => canonicalize({ a: undefined }))).toBe("unsupported_type");
    // eslint-disable-next-line no-sparse-arrays
    expect(codeOf(() => canonicalize([1, , 3]))).toBe("unsupported_type");
    expect(codeOf(() => canonicalize(() => 1))).toBe("unsupported_type");
    expect(codeOf(() => canonicalize(Symbol("s")))).toBe("unsupported_type");
    expect(codeOf(() => canonicalize(1n))).toBe("unsupported_type");
    expect(codeOf(() => canonicalize(new Date(0)))).toBe("unsupported_type");
    expect(codeOf(() => canonicalize(new Map()))).toBe("unsupported_type");
  });

  it("accepts objects without a prototype", () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare["z"] = 1;
    bare["a"] = 2;
    expect(canonicalize(bare)).toBe('{"a":2,"z":1}');
  });

  it("rejects cycles but not shared substructure", () => {
    const shared = { x: 1 };
    expect(canonicalize([shared, shared])).toBe('[{"x":1},{"x":1}]');
    const loop: unknown[] = [];
    loop.push(loop);
    expect(codeOf(() => canonicalize(loop))).toBe("cycle");
  });

  it("keeps a member named __proto__ that JSON.parse created", () => {
    expect(canonicalize(JSON.parse('{"__proto__":{"a":1},"b":2}'))).toBe('{"__proto__":{"a":1},"b":2}');
  });
});

import { describe, expect, it } from "vitest";
import type { FormDefinition } from "./formDefinition.js";
import { validateForm } from "./validateForm.js";

const order: FormDefinition = {
  validate: "order.validate",
  submit: "order.submit",
  denyUnknownFields: true,
  fields: [
    { name: "code", type: "string", required: true, nullable: false, constraints: { pattern: "^[A-Z]{3}$" } },
    { name: "site", type: "string", required: false, nullable: true, constraints: { format: "uri" } },
    {
      name: "count",
      type: "integer",
      required: false,
      nullable: false,
      default: 1,
      constraints: { format: "uint16", minimum: 1, exclusiveMaximum: 100 },
    },
    {
      name: "lines",
      type: "array",
      required: true,
      nullable: false,
      constraints: { minItems: 1, maxItems: 3 },
      items: {
        type: "object",
        required: true,
        nullable: false,
        fields: [
          { name: "sku", type: "string", required: true, nullable: false, constraints: { minLength: 2, maxLength: 3 } },
          { name: "gift", type: "boolean", required: false, nullable: false },
        ],
      },
    },
  ],
};

const codes = (value: unknown, mode?: "all" | "server") =>
  validateForm(order, value, mode === undefined ? {} : { mode }).map((e) => `${e.path}:${e.code}`);

describe("validateForm", () => {
  it("accepts a valid value, absent optional fields and fields with a default", () => {
    expect(codes({ code: "ABC", lines: [{ sku: "ab" }] })).toEqual([]);
    expect(codes({ code: "ABC", site: null, lines: [{ sku: "ab", gift: true }], count: 99 })).toEqual([]);
  });

  it("reports every rule, sorted by path, with nested and indexed paths", () => {
    expect(codes({ code: "abc", site: "not a url", count: 100, lines: [{ sku: "a" }, { sku: "abcd" }] })).toEqual([
      "code:pattern",
      "count:range",
      "lines.0.sku:length",
      "lines.1.sku:length",
      "site:url",
    ]);
  });

  it("counts string length in code points, not UTF-16 units", () => {
    expect(codes({ code: "ABC", lines: [{ sku: "𝒜𝒜" }] })).toEqual([]);
    expect(codes({ code: "ABC", lines: [{ sku: "𝒜𝒜𝒜𝒜" }] })).toEqual(["lines.0.sku:length"]);
  });

  it("checks a list's own length before its items", () => {
    expect(codes({ code: "ABC", lines: [] })).toEqual(["lines:length"]);
    expect(codes({ code: "ABC", lines: [{ sku: "x" }, { sku: "x" }, { sku: "x" }, { sku: "x" }] })).toEqual(["lines:length"]);
  });

  it("reports decoding problems: required, type, integer bounds, null where not nullable", () => {
    expect(codes({ lines: [{ sku: 5 }], count: 70_000, code: null })).toEqual(["code:type", "count:range", "lines.0.sku:type"]);
    expect(codes({})).toEqual(["code:required", "lines:required"]);
    expect(codes("nope")).toEqual([":type"]);
  });

  it("in server mode answers the first decoding problem alone, as serde stops there", () => {
    expect(codes({ code: "abc", count: 1.5, site: 3 }, "server")).toEqual(["count:type"]);
    expect(codes({ code: "abc", count: 0, lines: [{ sku: "ab" }] }, "server")).toEqual(["code:pattern", "count:range"]);
  });
});

import { describe, expect, it } from "vitest";
import { FIELD_ERROR_CODES, MIZAN_ERROR_CODES } from "mizan";
import {
  CANONICAL_JSON_ERROR_CODES,
  DEFAULT_CSRF_HEADER,
  DEFAULT_TOKEN_COOKIE,
  MWT_ERROR_CODES,
  REFRESH_FUNCTION,
  REVISIONS_CHANNEL,
  TOKEN_FUNCTION,
} from "mizan/core";
import { loadCodes, loadVectorFile } from "./loadVectors.js";
import { VECTOR_FILES, checkVector } from "./vectorChecks.js";

// Every entry of every spec/vectors file, one test each; a missing or empty file fails.
for (const file of VECTOR_FILES) {
  describe(`spec/vectors/${file}.json`, () => {
    let entries: readonly unknown[] = [];
    let loadError: unknown = null;
    try {
      entries = loadVectorFile(file);
    } catch (error) {
      loadError = error;
    }

    it("exists and has vectors", () => {
      expect(loadError).toBeNull();
      expect(entries.length).toBeGreaterThan(0);
    });

    it.each(entries.map((entry, index) => [index, entry] as const))("vector %i", async (_, entry) => {
      expect(await checkVector(file, entry)).toBeNull();
    });
  });
}

// The code tables and the vectors must name the same rejections: a code the Rust side
// adds shows up here as an unknown vector code, a code only TypeScript has as uncovered.
describe("error code tables against spec/vectors", () => {
  const errorsIn = (file: "mwt" | "canonical") =>
    new Set(
      loadVectorFile(file).flatMap((entry) => {
        const error = (entry as { error?: unknown }).error;
        return typeof error === "string" ? [error] : [];
      }),
    );

  it("MWT_ERROR_CODES is exactly the set of codes mwt.json uses", () => {
    expect([...errorsIn("mwt")].sort()).toEqual(Object.keys(MWT_ERROR_CODES).sort());
  });

  it("every canonical.json error code is in CANONICAL_JSON_ERROR_CODES", () => {
    const known = Object.keys(CANONICAL_JSON_ERROR_CODES);
    expect([...errorsIn("canonical")].filter((code) => !known.includes(code))).toEqual([]);
  });
});

// The TypeScript code tables and shared names against the Rust ones, exported to
// codes.json (whose own agreement with spec/PROTOCOL.md the Rust suite checks).
describe("code tables against spec/vectors/codes.json", () => {
  const codes = loadCodes() as {
    error_codes: { code: string; status: number }[];
    mwt_error_codes: { code: string }[];
    canonical_error_codes: { code: string }[];
    field_error_codes: { code: string; keywords: string[] }[];
    constants: Record<string, string>;
  };
  const names = (table: readonly { code: string }[]) => table.map((entry) => entry.code);

  it("MIZAN_ERROR_CODES has every framework code with its status", () => {
    expect(MIZAN_ERROR_CODES).toEqual(Object.fromEntries(codes.error_codes.map((e) => [e.code, e.status])));
  });

  it("MWT_ERROR_CODES lists the MWT codes in the order verification checks them", () => {
    expect(Object.keys(MWT_ERROR_CODES)).toEqual(names(codes.mwt_error_codes));
  });

  it("CANONICAL_JSON_ERROR_CODES starts with the shared canonical codes", () => {
    const shared = names(codes.canonical_error_codes);
    expect(Object.keys(CANONICAL_JSON_ERROR_CODES).slice(0, shared.length)).toEqual(shared);
  });

  it("FIELD_ERROR_CODES has every field code with its JSON Schema keywords, in order", () => {
    expect(Object.entries(FIELD_ERROR_CODES)).toEqual(codes.field_error_codes.map((e) => [e.code, e.keywords]));
  });

  it("the shared names are the server's", () => {
    expect({
      csrf_header: DEFAULT_CSRF_HEADER,
      token_cookie: DEFAULT_TOKEN_COOKIE,
      token_function: TOKEN_FUNCTION,
      refresh_function: REFRESH_FUNCTION,
      revisions_channel: REVISIONS_CHANNEL,
    }).toEqual(codes.constants);
  });
});

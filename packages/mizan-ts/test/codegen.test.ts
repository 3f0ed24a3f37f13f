import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import ts from "typescript";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { generate, runCodegen } from "mizan/codegen";
import { main } from "../src/codegen/cli.js";
import { fullSchema, FULL_SCHEMA_PATH, GENERATED_DIR, generateHello } from "./generateFixtures.js";

const PACKAGE_DIR = new URL("../", import.meta.url).pathname;

/** tsc --strict (the package's own settings) over `files`, with `mizan*` mapped to src/. */
function typecheck(files: readonly string[]): readonly ts.Diagnostic[] {
  const program = ts.createProgram(files as string[], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noImplicitOverride: true,
    noPropertyAccessFromIndexSignature: false,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: true,
    noEmit: true,
    baseUrl: PACKAGE_DIR,
    paths: {
      mizan: ["src/client/index.ts"],
      "mizan/react": ["src/react/index.ts"],
      "mizan/core": ["src/core/index.ts"],
    },
  });
  return ts.getPreEmitDiagnostics(program);
}

/**
 * Vite's react-ts template settings (tsconfig.app.json) plus `--strict`, over generated
 * files: the strictest tsconfig an app commonly has. Only diagnostics in `files` count (the
 * runtime is a compiled dependency in an app).
 */
function typecheckLikeVite(files: readonly string[]): readonly ts.Diagnostic[] {
  const program = ts.createProgram(files as string[], {
    target: ts.ScriptTarget.ES2022,
    useDefineForClassFields: true,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    moduleDetection: ts.ModuleDetectionKind.Force,
    noEmit: true,
    jsx: ts.JsxEmit.ReactJSX,
    strict: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    erasableSyntaxOnly: true,
    noFallthroughCasesInSwitch: true,
    noUncheckedSideEffectImports: true,
    skipLibCheck: true,
    baseUrl: PACKAGE_DIR,
    paths: { mizan: ["src/client/index.ts"], "mizan/react": ["src/react/index.ts"], "mizan/core": ["src/core/index.ts"] },
  });
  return ts.getPreEmitDiagnostics(program).filter((d) => d.file !== undefined && files.includes(d.file.fileName));
}

/** The full schema with some sections emptied: what a smaller app's schema looks like. */
/** The full schema's channels section cut down to the always-served revisions channel. */
function revisionsChannelOnly(): unknown {
  const { channels } = fullSchema() as { channels: Record<string, unknown> };
  return { mizan_revisions: channels["mizan_revisions"] };
}

function fullSchemaWithout(...drop: ("compositions" | "contexts" | "mutations" | "channels" | "forms")[]): unknown {
  const schema = fullSchema() as Record<string, unknown> & {
    functions: Record<string, { kind: string; meta: Record<string, unknown> }>;
  };
  const functions = Object.fromEntries(
    Object.entries(schema.functions).filter(
      ([, fn]) => !(drop.includes("mutations") && fn.kind === "mutation") && !(drop.includes("forms") && "form" in fn.meta),
    ),
  );
  const result: Record<string, unknown> = { ...schema, functions };
  for (const section of drop) {
    if (section === "compositions" || section === "contexts") result[section] = {};
  }
  if (drop.includes("channels")) delete result["channels"];
  if (drop.includes("forms")) delete result["forms"];
  if (drop.includes("mutations")) result["contexts"] = {};
  return result;
}

function describeDiagnostics(diagnostics: readonly ts.Diagnostic[]): string[] {
  return diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    return `${d.file?.fileName ?? ""}:${where ? where.line + 1 : "?"}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

describe("codegen over the hello server's schema", () => {
  beforeAll(async () => {
    await generateHello(inject("helloUrl"));
  });

  it("writes a client and React module that compile under tsc --strict, with wrong inputs rejected", () => {
    const diagnostics = typecheck([
      `${GENERATED_DIR}hello/client.ts`,
      `${GENERATED_DIR}hello/react.ts`,
      `${PACKAGE_DIR}test/typecheck/hello.types.ts`,
      `${PACKAGE_DIR}test/browser/page.ts`, // the page the Chromium test runs
    ]);
    // An @ts-expect-error that is not an error is itself a diagnostic: this also proves
    // each wrong input above fails to compile.
    expect(describeDiagnostics(diagnostics)).toEqual([]);
  });

  it.each([
    ["name must be a string", /Type 'number' is not assignable to type 'string'/],
    ["room is a number", /Type 'string' is not assignable to type 'number'/],
    ["age is a number", /Argument of type 'string' is not assignable to parameter of type 'number'/],
  ])("rejects a wrong type without the @ts-expect-error %j (the negative control)", (comment, message) => {
    const marker = `  // @ts-expect-error ${comment}\n`;
    const original = readFileSync(`${PACKAGE_DIR}test/typecheck/hello.types.ts`, "utf8");
    // Only the first occurrence: each control removes one expectation.
    const source = original.replace(marker, "");
    expect(source).not.toBe(original);
    const path = `${GENERATED_DIR}hello.control.ts`;
    ts.sys.writeFile(path, source.replaceAll("../.generated/", "./"));
    const messages = describeDiagnostics(typecheck([path]));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(message);
  });

  it("emits the function table the runtime needs", () => {
    const client = readFileSync(`${GENERATED_DIR}hello/client.ts`, "utf8");
    expect(client).toContain(
      `"greet": {"kind":"query","context":"home","cache":{"scope":"public","ttlSeconds":60,"tags":["greet","greetings"]},"invalidates":[]`,
    );
    expect(client).toContain(`"reset_greetings": {"kind":"mutation"`);
    expect(client).toContain(`"invalidates":["greetings"]`);
    // Channels and forms, through the built-in extension generators.
    expect(client).toContain(
      `export const channels = {\n  "chat": { bidirectional: true, history: null, presence: null },\n  "mizan_revisions": { bidirectional: false, history: null, presence: null },\n  "room": { bidirectional: true, history: { size: 100, ttlSeconds: 600 }, presence: { claims: [] } },\n} as const;`,
    );
    expect(client).toContain(`  readonly chat: BidirectionalChannelProcedure<ChatParams, ChatMessage, ChatClientMessage>;`);
    expect(client).toContain(`  readonly contact: FormProcedure<ContactSubmitInput> & {`);
    expect(client).toMatch(
      /^ {2}"contact": \{"validate":"contact\.validate","submit":"contact\.submit",.*"denyUnknownFields":true\},$/m,
    );
    const react = readFileSync(`${GENERATED_DIR}hello/react.ts`, "utf8");
    expect(react).toContain(`  readonly chat: ReactChannelProcedure<ChatParams, ChatMessage>;`);
    expect(react).toContain(
      `  readonly room: ReactPresenceChannelProcedure<RoomParams, RoomMessage, Readonly<Record<string, never>>>;`,
    );
    expect(react).toContain(`  readonly contact: ReactFormProcedure<ContactSubmitInput, ContactSubmitOutput> & {`);
    expect(react).toContain(
      `export const HomeProvider = createContextProvider<{ "greet": GreetInput; "whoami": WhoamiInput }>("home", ["greet","whoami"]);`,
    );
  });
});

describe("codegen over a schema using every feature (test/fixtures/full-schema.json)", () => {
  beforeAll(async () => {
    await runCodegen({ schema: FULL_SCHEMA_PATH, outDir: `${GENERATED_DIR}full` });
  });

  it("compiles under tsc --strict, and the type tests hold", () => {
    const diagnostics = typecheck([
      `${GENERATED_DIR}full/client.ts`,
      `${GENERATED_DIR}full/react.ts`,
      `${PACKAGE_DIR}test/typecheck/full.types.ts`,
    ]);
    expect(describeDiagnostics(diagnostics)).toEqual([]);
  });

  it("compiles under Vite's react-ts tsconfig for schemas with and without each section (no unused imports)", () => {
    const variants = {
      full: fullSchemaWithout(),
      bare: fullSchemaWithout("compositions", "contexts", "mutations", "channels", "forms"),
      "no-compositions": fullSchemaWithout("compositions"),
      "no-contexts": fullSchemaWithout("contexts"),
      "queries-only": fullSchemaWithout("mutations", "forms"),
      "no-extensions": fullSchemaWithout("channels", "forms"),
      // What an app with neither channels nor forms of its own is served: the revisions
      // channel (one-way, no presence) and an empty forms section.
      "revisions-only": { ...(fullSchemaWithout("forms") as object), channels: revisionsChannelOnly(), forms: {} },
    };
    const files: string[] = [];
    for (const [variant, schema] of Object.entries(variants)) {
      const dir = `${GENERATED_DIR}vite-${variant}`;
      mkdirSync(dir, { recursive: true });
      for (const [file, text] of Object.entries(generate(schema)) as [string, string][]) {
        writeFileSync(`${dir}/${file}`, text);
        files.push(`${dir}/${file}`);
      }
    }
    expect(describeDiagnostics(typecheckLikeVite(files))).toEqual([]);
  });

  it("declares each named type once: a root that is a declared type is an alias of it", () => {
    const { "client.ts": client } = generate(fullSchema());
    // posts.get and posts.create answer a Post; posts.list answers a list of them.
    expect(client.match(/^export type Post = \{/gm)).toHaveLength(1);
    expect(client).toMatch(/^export type PostsGetOutput = Post;$/m);
    expect(client).toMatch(/^export type PostsCreateOutput = Post;$/m);
    expect(client).toMatch(/^export type PostsListOutput = Post\[\];$/m);
    // No two declarations have the same body.
    const bodies = [...client.matchAll(/^export type \w+ = (\{[\s\S]*?^\});$/gm)].map((m) =>
      m[1]!.replace(/\/\*\*.*?\*\//gs, ""),
    );
    expect(bodies.length).toBeGreaterThan(3);
    expect(new Set(bodies).size).toBe(bodies.length);
  });

  it("declares a $defs name once when shapes agree and prefixes it when they differ", () => {
    const { "client.ts": client } = generate(fullSchema());
    // posts.get and posts.list both define Status/Author; posts.list's Status differs.
    expect(client.match(/^export type Author = /gm)).toHaveLength(1);
    expect(client).toMatch(/^export type PostsListInputStatus = "any" \| "open";$/m);
    expect(client).toMatch(
      /^export type Status = "draft" \| \("published" \| "archived"\);$|^export type Status = "draft" \| "published" \| "archived";$/m,
    );
  });

  it("keeps extension sections as data and calls an extension generator (the channel/form seam)", () => {
    const seen: unknown[] = [];
    const files = generate(fullSchema(), {
      extensions: {
        channels: (section) => {
          seen.push(section);
          return { client: "export const channelSeam = 1;\n", react: "export const channelHooks = 1;\n" };
        },
      },
    });
    expect(Object.keys(seen[0] as object)).toEqual(["chat_room", "post_events", "mizan_revisions"]);
    expect(files["client.ts"]).toContain("export const channelSeam = 1;");
    expect(files["react.ts"]).toContain("export const channelHooks = 1;");
    expect(files["client.ts"]).toMatch(/export const extensions = \{\n {2}"channels": \{/);
    expect(files["client.ts"]).toContain(`"forms": {`);
  });

  it("is deterministic", () => {
    expect(generate(fullSchema())).toEqual(generate(fullSchema()));
  });

  it("rejects a document that is not a version-1 schema, naming every problem", () => {
    expect(() => generate({ version: 2, functions: [] })).toThrow(/version must be 1[\s\S]*functions must be an object/);
    const bad = { ...(fullSchema() as object), functions: { "Bad Name": { kind: "read" } } };
    expect(() => generate(bad)).toThrow(/Bad Name: not a snake_case dotted name[\s\S]*kind must be query or mutation/);
  });
});

describe("codegen over the Rust core's pinned schema snapshot", () => {
  it("compiles under tsc --strict", () => {
    const snapshot = readFileSync(`${PACKAGE_DIR}../../crates/mizan-core/tests/snapshots/registry__schema_snapshot.snap`, "utf8");
    // An insta snapshot: a YAML header between `---` lines, then the value.
    const schema = JSON.parse(snapshot.split(/^---$/m).slice(2).join("---")) as unknown;
    const files = generate(schema);
    const dir = `${GENERATED_DIR}snapshot`;
    ts.sys.createDirectory(GENERATED_DIR);
    ts.sys.createDirectory(dir);
    ts.sys.writeFile(`${dir}/client.ts`, files["client.ts"]);
    ts.sys.writeFile(`${dir}/react.ts`, files["react.ts"]);
    expect(describeDiagnostics(typecheck([`${dir}/client.ts`, `${dir}/react.ts`]))).toEqual([]);
  });
});

describe("the mizan-codegen command line", () => {
  it("generates from a schema URL into --out, and rewrites nothing that did not change", async () => {
    const out = `${GENERATED_DIR}cli`;
    rmSync(out, { recursive: true, force: true });
    const logs: string[] = [];
    const log = console.log;
    console.log = (line: string) => logs.push(line);
    try {
      expect(await main([`${inject("helloUrl")}/schema`, "--out", out])).toBe(0);
      const written = statSync(`${out}/client.ts`).mtimeMs;
      expect(await main([`${inject("helloUrl")}/schema`, "--out", out])).toBe(0);
      expect(statSync(`${out}/client.ts`).mtimeMs).toBe(written);
    } finally {
      console.log = log;
    }
    expect(logs).toEqual([`wrote ${out}/client.ts`, `wrote ${out}/react.ts`, `up to date: ${out}`]);
    expect(readFileSync(`${out}/client.ts`, "utf8")).toContain("export function createMizan(");
  });

  it("fails with usage on bad arguments and 1 on an unreadable schema", async () => {
    const error = console.error;
    console.error = () => undefined;
    try {
      expect(await main([])).toBe(2);
      expect(await main(["/nonexistent/schema.json", "--out", `${GENERATED_DIR}x`])).toBe(1);
    } finally {
      console.error = error;
    }
  });
});

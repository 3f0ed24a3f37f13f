import { beforeAll, describe, expect, inject, it } from "vitest";
import { createMizanClient, MizanError, validateForm, type FormDefinition, type FunctionTable } from "mizan";
import { GENERATED_DIR, generateHello } from "./generateFixtures.js";

// The client-side form check against examples/hello's `contact` form: for the same input,
// the same (path, code) pairs as the server's `contact.validate`.

let helloUrl: string;
let contact: FormDefinition;
let functions: FunctionTable;

beforeAll(async () => {
  helloUrl = inject("helloUrl");
  await generateHello(helloUrl);
  const generated = (await import(/* @vite-ignore */ `${GENERATED_DIR}hello/client.ts`)) as {
    forms: { contact: FormDefinition };
    functions: FunctionTable;
  };
  ({ functions } = generated);
  contact = generated.forms.contact;
});

const valid = { name: "Ada", email: "ada@example.com", topic: "support", message: "Hello there" };

/** Inputs the server refuses, each for different reasons. */
const invalid: ReadonlyArray<Record<string, unknown>> = [
  { name: "A", email: "nope", age: 17, topic: "sales", message: "Hello there" }, // the spec's example
  { ...valid, name: "x".repeat(81), message: "short" },
  { ...valid, name: "𝒜", message: "𝒜".repeat(9) }, // code points, not UTF-16 units
  { ...valid, name: "𝒜𝒜", age: 131 },
  { ...valid, email: "ada@", age: 18 },
  { ...valid, email: "@example.com" },
  { ...valid, email: "a b@example.com" },
  { ...valid, email: "ada@exa_mple.com" },
  { ...valid, topic: "billing" },
  { ...valid, topic: 5 },
  { ...valid, age: 300 },
  { ...valid, age: -1 },
  { ...valid, age: "old" },
  { ...valid, age: 1.5 },
  { ...valid, name: null },
  { ...valid, extra: true },
  { name: "x", message: "short" },
  { email: "nope" },
  {},
];

async function serverPairs(input: unknown): Promise<string[]> {
  const response = await fetch(`${helloUrl}/call/contact.validate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { data?: null; error?: { fields: Array<{ path: string; code: string }> } };
  return body.error === undefined ? [] : body.error.fields.map((f) => `${f.path}:${f.code}`);
}

describe("the contact form, client check against the server", () => {
  it("the generated definition carries the schema's fields and refuses unknown fields", () => {
    expect(contact.submit).toBe("contact.submit");
    expect(contact.validate).toBe("contact.validate");
    expect(contact.denyUnknownFields).toBe(true);
    expect(contact.fields.map((f) => f.name)).toEqual(["name", "email", "age", "topic", "message"]);
  });

  it.each(invalid.map((input) => [JSON.stringify(input), input]))(
    "%s gives the server's (path, code) pairs",
    async (_, input) => {
      const server = await serverPairs(input);
      expect(server.length).toBeGreaterThan(0);
      const client = validateForm(contact, input, { mode: "server" }).map((e) => `${e.path}:${e.code}`);
      expect(client).toEqual(server);
    },
  );

  it("accepts what the server accepts", async () => {
    for (const input of [valid, { ...valid, age: null }, { ...valid, age: 18, name: "𝒜𝒜", email: "x@b" }]) {
      expect(await serverPairs(input)).toEqual([]);
      expect(validateForm(contact, input)).toEqual([]);
    }
  });

  const emails = [
    "a@b.c.",
    "a@-b.com",
    "a..b@c.com",
    "a@[127.0.0.1]",
    "a@münchen.de",
    "ada@example.com ",
    "A@B.COM",
    ".a@b.com",
    "a@b..com",
    "a@localhost",
    "é@b.com",
    "a@[::1]",
    "a@[IPv6:::1]",
    "a@b_c.com",
    `${"x".repeat(65)}@b.com`,
    "a@1.2.3.4",
    "a@b.com.",
    "a@",
    "@",
    "a@b@c.com",
  ];
  it.each(emails)("judges the address %j as the server does", async (email) => {
    const input = { ...valid, email };
    expect(validateForm(contact, input).map((e) => `${e.path}:${e.code}`)).toEqual(await serverPairs(input));
  });

  it("matches the server's messages for rules (the spec's example)", () => {
    expect(validateForm(contact, invalid[0])).toEqual([
      { path: "age", code: "range", message: "value must be between 18 and 130" },
      { path: "email", code: "email", message: "must be an email address" },
      { path: "name", code: "length", message: "length must be between 2 and 80" },
    ]);
  });

  it("contact.submit refuses the same input end to end with a MizanError carrying the fields", async () => {
    const client = createMizanClient({ baseUrl: helloUrl, functions });
    const error = await client.mutate("contact.submit", invalid[0]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MizanError);
    expect((error as MizanError).code).toBe("validation_failed");
    expect((error as MizanError).fields).toEqual(validateForm(contact, invalid[0]));
    expect(await client.mutate("contact.submit", valid)).toEqual({ name: "Ada", topic: "support" });
  });
});

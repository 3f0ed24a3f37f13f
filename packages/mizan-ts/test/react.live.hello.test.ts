// @vitest-environment happy-dom
import { QueryClient } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { createElement, useState, type ReactNode } from "react";
import { WebSocket as NodeWebSocket } from "ws";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import {
  createMizanClient,
  type ChannelClient,
  type FieldError,
  type FormDefinition,
  type FunctionTable,
  type MizanApiBase,
} from "mizan";
import { MizanProvider, useMizanForm, type MizanForm } from "mizan/react";
import { countingFetch } from "./countingFetch.js";
import { GENERATED_DIR, generateHello } from "./generateFixtures.js";

// The generated channel and form hooks in a DOM (happy-dom) against examples/hello:
// purges pushed over mizan_revisions refetch queries, chat lines render, and useForm shows
// client-side errors before submitting and the server's after.

interface Line {
  user: string;
  text: string;
}
interface Contact {
  name: string;
  email: string;
  age?: number | null;
  topic: string;
  message: string;
}
interface HelloApi extends MizanApiBase {
  $channels: ChannelClient;
  chat: { send(params: { room: number }, text: string): Promise<void> };
}
interface HelloReact {
  mizan: {
    greet: { useQuery(input: { name: string }): { data: unknown; status: string } };
    chat: { useChannel(params: { room: number }, onMessage: (line: Line) => void): { status: string } };
    contact: { useForm(): MizanForm<Contact, { name: string; topic: string }> };
  };
}
type CreateMizan = (options: object) => HelloApi;

let helloUrl: string;
let createMizan: CreateMizan;
let functions: FunctionTable;
let forms: { contact: FormDefinition };
let hooks: HelloReact;
const apis: HelloApi[] = [];
const sockets: NodeWebSocket[] = [];
class RecordingWebSocket extends NodeWebSocket {
  constructor(url: string) {
    super(url);
    sockets.push(this);
  }
}

beforeAll(async () => {
  helloUrl = inject("helloUrl");
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${new URL(helloUrl).origin}/`);
  await generateHello(helloUrl);
  ({ createMizan, functions, forms } = (await import(/* @vite-ignore */ `${GENERATED_DIR}hello/client.ts`)) as {
    createMizan: CreateMizan;
    functions: FunctionTable;
    forms: { contact: FormDefinition };
  });
  hooks = (await import(/* @vite-ignore */ `${GENERATED_DIR}hello/react.ts`)) as HelloReact;
});

afterEach(() => {
  cleanup();
  for (const api of apis.splice(0)) api.$channels.close();
});

function setup() {
  const counter = countingFetch();
  const api = createMizan({
    baseUrl: helloUrl,
    fetch: counter.fetch,
    channels: { WebSocket: RecordingWebSocket, liveRevisions: true, backoff: { initialMs: 20, maxMs: 100 } },
  });
  apis.push(api);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const mount = (child: ReactNode) =>
    render(createElement(MizanProvider, { client: api.$client, queryClient, channels: api.$channels }, child));
  return { api, seen: counter.seen, mount };
}

function Greeting({ name }: { name: string }): ReactNode {
  const greeting = hooks.mizan.greet.useQuery({ name });
  return createElement(
    "p",
    { "data-testid": "greeting" },
    greeting.status === "success" ? (greeting.data as { message: string }).message : greeting.status,
  );
}

function Chat({ room }: { room: number }): ReactNode {
  const [lines, setLines] = useState<Line[]>([]);
  const { status } = hooks.mizan.chat.useChannel({ room }, (line) => setLines((before) => [...before, line]));
  return createElement(
    "div",
    null,
    createElement("p", { "data-testid": "status" }, status),
    createElement("ul", null, ...lines.map((line, i) => createElement("li", { key: i }, `${line.user}: ${line.text}`))),
  );
}

function ContactForm({ form }: { form: MizanForm<Contact, { name: string; topic: string }> }): ReactNode {
  const field = (name: keyof Contact) =>
    createElement("input", {
      "aria-label": name,
      value: String(form.values[name] ?? ""),
      onChange: (event: { target: { value: string } }) =>
        form.setValue(name, name === "age" ? Number(event.target.value) : event.target.value),
    });
  const errors = (list: readonly FieldError[]) => list.map((e) => `${e.path}:${e.code}`).join(" ");
  return createElement(
    "form",
    { onSubmit: form.handleSubmit },
    field("name"),
    field("email"),
    field("age"),
    field("topic"),
    field("message"),
    createElement("p", { "data-testid": "errors" }, errors(form.errors)),
    createElement("p", { "data-testid": "status" }, form.status),
    createElement("button", { type: "submit" }, "Send"),
  );
}

describe("live hooks against examples/hello", () => {
  it("a purge announced on mizan_revisions refetches the query, with no polling", async () => {
    const { api, mount, seen } = setup();
    mount(createElement(Greeting, { name: "Pushed" }));
    await waitFor(() => expect(screen.getByTestId("greeting").textContent).toBe("Hello, Pushed!"));
    await waitFor(() => expect(api.$channels.status).toBe("open"));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the revisions subscription's ack
    const before = seen.length;

    const admin = createMizanClient({ baseUrl: helloUrl, functions });
    await admin.login({ user: "admin", password: "mizan" });
    await admin.mutate("reset_greetings", null);

    // The announcement names `greetings`; greet's own tag is asked for, then the refetch
    // names the new revision, so an edge or CDN may keep its answer.
    await waitFor(() =>
      expect(seen.slice(before).map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
        "GET /mizan/revisions",
        "GET /mizan/call/greet",
      ]),
    );
    const rev = api.$client.revisionOf("greet");
    expect(rev).toBeTypeOf("number");
    expect(seen[before + 1]!.url.searchParams.get("rev")).toBe(String(rev));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.length).toBe(before + 2);
  });

  it("after a reconnect the provider refetches what is shown (at-most-once delivery)", async () => {
    const { api, mount, seen } = setup();
    mount(createElement(Greeting, { name: "Again" }));
    await waitFor(() => expect(screen.getByTestId("greeting").textContent).toBe("Hello, Again!"));
    await waitFor(() => expect(api.$channels.status).toBe("open"));
    const before = seen.length;
    const statuses: string[] = [];
    api.$channels.onStatusChange((status) => statuses.push(status));
    sockets.at(-1)?.terminate();
    await waitFor(() => expect(seen.slice(before).map((r) => r.url.pathname)).toContain("/mizan/call/greet"));
    // What a purge missed while away is asked for, too.
    expect(seen.slice(before).map((r) => r.url.pathname)).toContain("/mizan/revisions");
    expect(statuses).toEqual(["reconnecting", "open"]);
  });

  it("useChannel renders lines sent by another client", async () => {
    const { mount } = setup();
    mount(createElement(Chat, { room: 11 }));
    await waitFor(() => expect(screen.getByTestId("status").textContent).toBe("open"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const other = setup().api;
    await other.chat.send({ room: 11 }, "hi from node");
    await waitFor(() => expect(screen.getByText("anonymous: hi from node")).toBeTruthy());
  });

  it("useForm: client errors while typing, nothing sent; then the server's field errors after submit", async () => {
    const { mount, seen } = setup();
    let form!: MizanForm<Contact, { name: string; topic: string }>;
    // A client whose schema knows nothing of the email rule (an older build): only the
    // server can refuse it.
    const stale: FormDefinition = {
      ...forms.contact,
      fields: forms.contact.fields.map((f) => (f.name === "email" ? { ...f, constraints: {} } : f)),
    };
    function Page(): ReactNode {
      form = useMizanForm<Contact, { name: string; topic: string }>(stale);
      return createElement(ContactForm, { form });
    }
    mount(createElement(Page));
    fireEvent.change(screen.getByLabelText("name"), { target: { value: "A" } });
    await waitFor(() => expect(screen.getByTestId("errors").textContent).toBe("name:length"));
    fireEvent.click(screen.getByText("Send"));
    await waitFor(() =>
      expect(screen.getByTestId("errors").textContent).toBe("email:required message:required name:length topic:required"),
    );
    expect(seen).toEqual([]);

    for (const [name, value] of [
      ["name", "Ada"],
      ["email", "nope"],
      ["topic", "sales"],
      ["message", "Hello there"],
    ] as const) {
      fireEvent.change(screen.getByLabelText(name), { target: { value } });
    }
    await waitFor(() => expect(screen.getByTestId("errors").textContent).toBe(""));
    await act(async () => {
      await form.submit();
    });
    expect(screen.getByTestId("errors").textContent).toBe("email:email");
    expect(seen.map((r) => r.url.pathname)).toEqual(["/mizan/call/contact.submit"]);

    fireEvent.change(screen.getByLabelText("email"), { target: { value: "ada@example.com" } });
    expect(screen.getByTestId("errors").textContent).toBe(""); // the field changed: its server error is gone
    await act(async () => {
      expect(await form.submit()).toEqual({ name: "Ada", topic: "sales" });
    });
    expect(screen.getByTestId("status").textContent).toBe("success");
  });
});

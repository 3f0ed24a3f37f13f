// The page test/browser.chromium.test.ts bundles with esbuild and opens in Chromium: the
// generated hello client and hooks, a query, signing in, the chat channel and the contact form.
import { QueryClient } from "@tanstack/react-query";
import { createElement as h, useState, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { MizanProvider, useConnectionStatus, useMizanForm } from "mizan/react";
import {
  createMizan,
  forms,
  type ChatMessage,
  type ContactSubmitInput,
  type ContactSubmitOutput,
} from "../.generated/hello/client.js";
import { mizan } from "../.generated/hello/react.js";

const api = createMizan({ baseUrl: "/mizan", channels: { liveRevisions: true } });
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });

function Greeting(): ReactNode {
  const greeting = mizan.greet.useQuery({ name: "Browser" });
  return h("p", { id: "greeting" }, greeting.data?.message ?? greeting.status);
}

function Chat(): ReactNode {
  const [lines, setLines] = useState<ChatMessage[]>([]);
  mizan.chat.useChannel({ room: 42 }, (line) => setLines((before) => [...before, line]));
  const status = useConnectionStatus();
  return h(
    "section",
    null,
    h("h2", null, "Room 42 ", h("small", { id: "connection" }, status)),
    h("ul", { id: "lines" }, ...lines.map((line, i) => h("li", { key: i }, `${line.user}: ${line.text}`))),
  );
}

// Sign in as ada or bob; `#whoami` is user-scoped and must never show the previous user.
function Account(): ReactNode {
  const me = mizan.whoami.useQuery(null);
  const signIn = (user: string) => () => {
    void api.$client.logout().then(() => api.$client.login({ user, password: "mizan" }));
  };
  return h(
    "section",
    null,
    h("p", { id: "whoami" }, me.status === "success" ? me.data : me.status),
    h("button", { id: "login-ada", onClick: signIn("ada") }, "ada"),
    h("button", { id: "login-bob", onClick: signIn("bob") }, "bob"),
  );
}

// This page's copy of the form lacks the email rule, as a client built from an older schema
// would: the server, which checks everything again, is the one to refuse a bad address.
const contactWithoutEmailRule = {
  ...forms.contact,
  fields: forms.contact.fields.map((field) => (field.name === "email" ? { ...field, constraints: {} } : field)),
};

function ContactForm(): ReactNode {
  const form = useMizanForm<ContactSubmitInput, ContactSubmitOutput>(contactWithoutEmailRule, {
    initialValues: { topic: "support" },
  });
  const input = (name: "name" | "email" | "message") =>
    h(
      "label",
      null,
      name,
      h("input", {
        id: name,
        value: form.values[name] ?? "",
        onChange: (e: { target: { value: string } }) => form.setValue(name, e.target.value),
      }),
      h(
        "span",
        { id: `${name}-error`, className: "error" },
        form
          .errorsOf(name)
          .map((e) => `${e.code}: ${e.message}`)
          .join("; "),
      ),
    );
  return h(
    "form",
    { onSubmit: form.handleSubmit },
    input("name"),
    input("email"),
    input("message"),
    h("button", { id: "send", type: "submit" }, "Send"),
    h("p", { id: "form-status" }, form.status === "success" ? `thanks, ${form.result?.name ?? ""}` : form.status),
  );
}

createRoot(document.getElementById("root") as HTMLElement).render(
  h(
    MizanProvider,
    { client: api.$client, queryClient, channels: api.$channels },
    h(Greeting),
    h(Account),
    h(Chat),
    h(ContactForm),
  ),
);

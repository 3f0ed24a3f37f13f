// @vitest-environment happy-dom
import { QueryClient } from "@tanstack/react-query";
import { act, cleanup, render, screen, waitFor } from "@testing-library/react";
import { createElement, type ReactNode } from "react";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { MizanApiBase, MizanClientOptions } from "mizan";
import { getQueryKey, MizanProvider } from "mizan/react";
import { countingFetch } from "./countingFetch.js";
import { GENERATED_DIR, generateHello } from "./generateFixtures.js";

// The generated hooks and context provider in a DOM (happy-dom) against examples/hello.
// The page is put on hello's origin, so the browser-like fetch is same-origin.
interface QueryHook<I> {
  useQuery(input: I): { data: unknown; status: string; error: unknown };
}
interface HelloReact {
  mizan: {
    greet: QueryHook<{ name: string }>;
    whoami: QueryHook<null>;
    resetGreetings: { useMutation(): { mutateAsync(input: null): Promise<unknown> } };
  };
  HomeProvider: (props: { inputs?: object; fallback?: ReactNode; children?: ReactNode }) => ReactNode;
}
type CreateMizan = (options: Omit<MizanClientOptions, "functions">) => MizanApiBase;

let helloUrl: string;
let createMizan: CreateMizan;
let hooks: HelloReact;

beforeAll(async () => {
  helloUrl = inject("helloUrl");
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${new URL(helloUrl).origin}/`);
  await generateHello(helloUrl);
  ({ createMizan } = (await import(/* @vite-ignore */ `${GENERATED_DIR}hello/client.ts`)) as { createMizan: CreateMizan });
  hooks = (await import(/* @vite-ignore */ `${GENERATED_DIR}hello/react.ts`)) as HelloReact;
});

afterEach(() => cleanup());

function setup() {
  const counter = countingFetch();
  const api = createMizan({ baseUrl: helloUrl, fetch: counter.fetch });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const mount = (child: ReactNode) => render(createElement(MizanProvider, { client: api.$client, queryClient }, child));
  return { api, queryClient, seen: counter.seen, mount };
}

function Greeting({ name }: { name: string }): ReactNode {
  const greeting = hooks.mizan.greet.useQuery({ name });
  return createElement(
    "p",
    { "data-testid": `greet-${name}` },
    greeting.status === "success" ? (greeting.data as { message: string }).message : greeting.status,
  );
}

function WhoAmI(): ReactNode {
  const me = hooks.mizan.whoami.useQuery(null);
  return createElement("p", { "data-testid": "whoami" }, me.status === "success" ? String(me.data) : me.status);
}

describe("generated React hooks against examples/hello", () => {
  it("after signing out and in as someone else, nothing of the previous user is shown", async () => {
    const { api, mount } = setup();
    await api.$client.login({ user: "ada", password: "mizan" });
    mount(createElement("div", null, createElement(WhoAmI), createElement(Greeting, { name: "Kept" })));
    await waitFor(() => expect(screen.getByTestId("whoami").textContent).toBe("ada"));
    await waitFor(() => expect(screen.getByTestId("greet-Kept").textContent).toBe("Hello, Kept!"));
    const shown: string[] = [];
    const observer = new MutationObserver(() => shown.push(screen.getByTestId("whoami").textContent ?? ""));
    observer.observe(screen.getByTestId("whoami"), { childList: true, characterData: true, subtree: true });
    await act(async () => {
      await api.$client.logout();
      await api.$client.login({ user: "bob", password: "mizan" });
    });
    await waitFor(() => expect(screen.getByTestId("whoami").textContent).toBe("bob"));
    observer.disconnect();
    expect(shown).not.toContain("ada");
    expect(shown.at(-1)).toBe("bob");
    // A public answer is the same for everyone: kept, not refetched.
    expect(screen.getByTestId("greet-Kept").textContent).toBe("Hello, Kept!");
  });

  it("useQuery fetches by GET and caches under the documented key", async () => {
    const { mount, queryClient, seen } = setup();
    mount(createElement(Greeting, { name: "Ada" }));
    await waitFor(() => expect(screen.getByTestId("greet-Ada").textContent).toBe("Hello, Ada!"));
    expect(queryClient.getQueryData(getQueryKey("greet", { name: "Ada" }))).toEqual({ message: "Hello, Ada!" });
    expect(seen.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(["GET /mizan/call/greet"]);
  });

  it("a context provider loads its group in one batch and its children fetch nothing more", async () => {
    const { api, mount, seen } = setup();
    await api.$client.login({ user: "ada", password: "mizan" });
    const loggedIn = seen.length;
    mount(
      createElement(
        hooks.HomeProvider,
        { inputs: { greet: { name: "Home" } }, fallback: createElement("p", null, "loading") },
        createElement(Greeting, { name: "Home" }),
        createElement(WhoAmI),
      ),
    );
    expect(screen.getByText("loading")).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId("whoami").textContent).toBe("ada"));
    expect(screen.getByTestId("greet-Home").textContent).toBe("Hello, Home!");
    const requests = seen.slice(loggedIn);
    expect(requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(["POST /mizan/batch"]);
    expect(requests[0]!.body).toEqual({
      calls: [
        { fn: "greet", input: { name: "Home" } },
        { fn: "whoami", input: null },
      ],
    });
  });

  it("a mutation invalidates the queries carrying a tag it invalidates, which refetch at the new rev", async () => {
    const { api, mount, seen } = setup();
    await api.$client.login({ user: "admin", password: "mizan" });
    let reset: (() => Promise<unknown>) | undefined;
    function Reset(): ReactNode {
      const mutation = hooks.mizan.resetGreetings.useMutation();
      reset = () => mutation.mutateAsync(null);
      return null;
    }
    mount(createElement("div", null, createElement(Greeting, { name: "Mut" }), createElement(Reset)));
    await waitFor(() => expect(screen.getByTestId("greet-Mut").textContent).toBe("Hello, Mut!"));
    const rev = api.$client.revisionOf("greet")!;
    const before = seen.length;
    await act(async () => {
      await reset!();
    });
    await waitFor(() => expect(seen.slice(before).filter((r) => r.url.pathname === "/mizan/call/greet")).toHaveLength(1));
    const refetch = seen.slice(before).find((r) => r.url.pathname === "/mizan/call/greet")!;
    expect(refetch.method).toBe("GET");
    const moved = api.$client.revisionOf("greet")!;
    expect(moved).toBeGreaterThan(rev);
    expect(refetch.url.searchParams.get("rev")).toBe(String(moved));
    expect(seen.slice(before).map((r) => r.url.pathname)).toEqual([
      "/mizan/call/reset_greetings",
      "/mizan/revisions",
      "/mizan/call/greet",
    ]);
  });

  it("a pushed revision of one tag completes the others, so the refetch names its revision", async () => {
    const { api, mount, seen } = setup();
    mount(createElement(Greeting, { name: "Pushed" }));
    await waitFor(() => expect(screen.getByTestId("greet-Pushed").textContent).toBe("Hello, Pushed!"));
    // What a fresh tab knows: the greet response's rev, no tag revision.
    const current = (await (await fetch(`${helloUrl}/revisions?tags=greet,greetings`)).json()) as {
      revisions: { greet: number; greetings: number };
    };
    const before = seen.length;
    await act(async () => {
      await api.$client.applyRevisions({ greetings: current.revisions.greetings + 1 });
    });
    await waitFor(() => expect(seen.length).toBe(before + 2));
    const [ask, refetch] = seen.slice(before);
    expect(`${ask!.url.pathname}?${ask!.url.searchParams}`).toBe("/mizan/revisions?tags=greet");
    expect(refetch!.url.pathname).toBe("/mizan/call/greet");
    expect(refetch!.url.searchParams.get("rev")).toBe(String(current.revisions.greet + current.revisions.greetings + 1));
  });

  it("applyRevisions (the live channel's seam) invalidates the affected queries only", async () => {
    const { api, mount, seen } = setup();
    await api.$client.login({ user: "ada", password: "mizan" });
    mount(createElement("div", null, createElement(Greeting, { name: "Live" }), createElement(WhoAmI)));
    await waitFor(() => expect(screen.getByTestId("whoami").textContent).toBe("ada"));
    await waitFor(() => expect(screen.getByTestId("greet-Live").textContent).toBe("Hello, Live!"));
    const revisions = await api.$client.refreshRevisions(["greet", "greetings"]);
    const before = seen.length;
    await act(async () => {
      await api.$client.applyRevisions({ greetings: revisions["greetings"]! + 1 });
    });
    await waitFor(() => expect(seen.length).toBe(before + 1));
    const refetch = seen[before]!;
    expect(refetch.url.pathname).toBe("/mizan/call/greet");
    expect(refetch.url.searchParams.get("rev")).toBe(String(revisions["greet"]! + revisions["greetings"]! + 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.slice(before).map((r) => r.url.pathname)).toEqual(["/mizan/call/greet"]);
  });
});

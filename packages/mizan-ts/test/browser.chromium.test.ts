import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Browser, Page } from "playwright-core";
import { WebSocket as NodeWebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createChannelClient, createMizanClient } from "mizan";
import { generateHello } from "./generateFixtures.js";
import { launchChromium, startSameOriginServer, type PageFile } from "./sameOriginServer.js";

// A real browser: Debian's Chromium (scripts/test-ts installs it) driven by playwright-core
// opens a React page (test/browser/page.ts, bundled here by esbuild) that uses the generated
// hello client, hooks, the chat channel and the contact form, served on one origin with hello
// behind it (test/browser/sameOrigin.ts).

const HERE = dirname(fileURLToPath(import.meta.url));
const PACKAGE_DIR = join(HERE, "..");
const WAIT = { timeout: 10_000 };

let helloUrl: URL;
let server: Server;
let pageUrl: string;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [join(HERE, "browser", "page.ts")],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
    plugins: [
      {
        name: "mizan-sources",
        setup(b) {
          const subpaths: Record<string, string> = { "": "client", "/react": "react", "/core": "core" };
          b.onResolve({ filter: /^mizan(\/react|\/core)?$/ }, (args) => ({
            path: join(PACKAGE_DIR, "src", subpaths[args.path.slice("mizan".length)] ?? "client", "index.ts"),
          }));
        },
      },
    ],
  });
  return result.outputFiles[0]?.text ?? "";
}

const PAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>Mizan in Chromium</title>
<style>body{font-family:sans-serif;margin:2em}label{display:block;margin:.5em 0}.error{color:#b00;margin-left:1em}</style>
</head><body><h1>Mizan hello</h1><div id="root"></div><script type="module" src="/app.js"></script></body></html>`;

beforeAll(async () => {
  helloUrl = new URL(inject("helloUrl"));
  await generateHello(helloUrl.toString());
  const script = await bundle();
  const files: Record<string, PageFile> = {
    "/": { type: "text/html", body: PAGE_HTML },
    "/app.js": { type: "text/javascript", body: script },
  };
  ({ server, url: pageUrl } = await startSameOriginServer((path) => files[path], helloUrl));
  browser = await launchChromium();
  page = await browser.newPage();
  page.on("console", (message) => {
    // The browser logs every 4xx (the favicon, the form's 422) as a failed resource.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

const text = (selector: string) => page.locator(selector).textContent(WAIT);

describe("the generated client in Chromium", () => {
  it("renders a query, checks the contact form on both sides, and shows a chat line sent from Node", async () => {
    await page.goto(pageUrl, WAIT);

    // A query rendered from server data.
    await page.locator("#greeting", { hasText: "Hello, Browser!" }).waitFor(WAIT);
    await page.locator("#connection", { hasText: "open" }).waitFor(WAIT);

    // The client-side check, before anything is sent.
    await page.fill("#name", "A");
    await page.locator("#name-error", { hasText: "length: length must be between 2 and 80" }).waitFor(WAIT);
    expect(await text("#form-status")).toBe("idle");

    // The server refuses what this page's client does not check.
    await page.fill("#name", "Ada");
    await page.fill("#email", "not-an-address");
    await page.fill("#message", "Hello from Chromium");
    expect(await text("#name-error")).toBe("");
    await page.click("#send");
    await page.locator("#email-error", { hasText: "email: must be an email address" }).waitFor(WAIT);
    expect(await text("#form-status")).toBe("error");

    await page.fill("#email", "ada@example.com");
    await page.click("#send");
    await page.locator("#form-status", { hasText: "thanks, Ada" }).waitFor(WAIT);

    // A chat line from a Node client reaches the page's subscription.
    const node = createChannelClient({ client: createMizanClient({ baseUrl: helloUrl.toString() }), WebSocket: NodeWebSocket });
    try {
      await node.send("chat", { room: 42 }, "hello from node");
    } finally {
      node.close();
    }
    await page.locator("#lines li", { hasText: "anonymous: hello from node" }).waitFor(WAIT);

    mkdirSync(join(PACKAGE_DIR, "test-results"), { recursive: true });
    await page.screenshot({ path: join(PACKAGE_DIR, "test-results", "chromium-hello.png"), fullPage: true });
    expect(consoleErrors).toEqual([]);
  }, 60_000);

  it("after a purge elsewhere, the page refetches with the revision it just learned in the URL", async () => {
    await page.goto(pageUrl, WAIT);
    await page.locator("#greeting", { hasText: "Hello, Browser!" }).waitFor(WAIT);
    await page.locator("#connection", { hasText: "open" }).waitFor(WAIT);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the revisions subscription's ack
    const gets: URL[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname === "/mizan/call/greet") gets.push(url);
    });

    const admin = createMizanClient({ baseUrl: helloUrl.toString() });
    await admin.login({ user: "admin", password: "mizan" });
    await admin.mutate("reset_greetings", null);
    const current = (await (await fetch(new URL("/mizan/revisions?tags=greet,greetings", helloUrl))).json()) as {
      revisions: { greet: number; greetings: number };
    };

    await expect.poll(() => gets.length, WAIT).toBeGreaterThan(0);
    expect(gets.map((url) => url.searchParams.get("rev"))).toEqual([
      String(current.revisions.greet + current.revisions.greetings),
    ]);
    expect(consoleErrors).toEqual([]);
  }, 60_000);

  it("after signing out and in as someone else, the page never shows the previous user's answer", async () => {
    await page.goto(pageUrl, WAIT);
    await page.click("#login-ada");
    await page.locator("#whoami", { hasText: "ada" }).waitFor(WAIT);
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const target = document.getElementById("whoami")!;
      new MutationObserver(() => seen.push(target.textContent ?? "")).observe(target, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await page.click("#login-bob");
    await page.locator("#whoami", { hasText: "bob" }).waitFor(WAIT);
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen).not.toContain("ada");
    expect(seen.at(-1)).toBe("bob");
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});

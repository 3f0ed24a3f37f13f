import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { startEdge } from "../../edge/dev.mjs";
import { postgres, psql, redis, startDemo, type DemoServer } from "./demoServer";

// The demo end to end, as a user meets it: the built server (scripts/demo --build-only)
// serving the built page, driven in Debian's Chromium. Screenshots of the main screens go
// to test-results/ (kept as artifacts, never committed).

const ARTIFACTS = fileURLToPath(new URL("../test-results/", import.meta.url));
/** What only `boards.members` may ever receive: the team board's name and its seeded post. */
const MEMBERS_ONLY = ["Team room", "Secret roadmap", "Only members ever see"];
const WAIT = { timeout: 10_000 };

let browser: Browser;
let server: DemoServer;
const temps: string[] = [];

const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "mizan-demo-"));
  temps.push(dir);
  return dir;
};

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    timeout: 30_000,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  server = await startDemo({ dataDir: tempDir() });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A fresh browser profile (its own sessionStorage, so its own user) on `base`. */
async function openPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 820 } });
  const page = await context.newPage();
  page.on("pageerror", (error) => {
    throw error;
  });
  return page;
}

async function signIn(page: Page, base: string, user: "admin" | "member" | "guest"): Promise<void> {
  await page.goto(`${base}signin`, WAIT);
  await page.locator(`input[name=user][value=${user}]`).check();
  await page.getByRole("button", { name: `Sign in as ${user}` }).click();
  await page.locator("#account", { hasText: `(${user},` }).waitFor(WAIT);
}

/** Writes a post on the General board through the new-post form; resolves on its page. */
async function writePost(page: Page, base: string, title: string): Promise<void> {
  await page.goto(`${base}new?board=1`, WAIT);
  await page.locator("#title").fill(title);
  await page.locator("#body").fill("Written by the end-to-end test.");
  await page.getByRole("button", { name: "Post" }).click();
  await page.locator("#post-title", { hasText: title }).waitFor(WAIT);
}

/** Every body the page receives from Mizan: HTTP responses and WebSocket frames. */
function recordBodies(page: Page): () => Promise<string[]> {
  const pending: Promise<string>[] = [];
  page.on("response", (response) => {
    if (new URL(response.url()).pathname.startsWith("/mizan/")) pending.push(response.text().catch(() => ""));
  });
  page.on("websocket", (socket) => socket.on("framereceived", (frame) => pending.push(Promise.resolve(String(frame.payload)))));
  return () => Promise.all(pending);
}

/**
 * The member writes on `memberBase` while the admin reads the board on `adminBase` (one
 * server, or two instances sharing Redis): the form's three outcomes, the post appearing
 * on the admin's open board without a reload, and a chat line from the admin to the member.
 */
async function formLiveAndChat(memberBase: string, adminBase: string, artifacts: string): Promise<void> {
  const member = await openPage();
  const admin = await openPage();
  await signIn(admin, adminBase, "admin");
  await admin.goto(`${adminBase}boards/1`, WAIT);
  await admin.locator("#posts").waitFor(WAIT);
  // Marks this document: a reload would lose it.
  await admin.evaluate(() => Object.assign(window, { demoMarker: true }));

  await signIn(member, memberBase, "member");
  await member.screenshot({ path: join(ARTIFACTS, `${artifacts}-home-member.png`) });
  const submits: string[] = [];
  member.on("request", (request) => {
    // A call of the submit function, alone or in a batch (not a revisions query naming its tag).
    const call = new URL(request.url()).pathname.endsWith("/call/new_post.submit");
    if (call || (request.postData() ?? "").includes('"new_post.submit"')) submits.push(request.url());
  });
  await member.goto(`${memberBase}boards/1`, WAIT);
  await member.getByRole("link", { name: "New post" }).click();
  await member.locator("#new-post").waitFor(WAIT);

  // Invalid: the browser reports every rule and sends nothing.
  await member.locator("#title").fill("x");
  await member.locator("#body").fill("short");
  await member.getByRole("button", { name: "Post" }).click();
  await member.locator("[data-field=title] .field-error", { hasText: "length must be between 4 and 80" }).waitFor(WAIT);
  await member.locator("[data-field=body] .field-error").waitFor(WAIT);
  await member.locator("#title").fill("!nope");
  await member.locator("[data-field=title] .field-error", { hasText: "may not have" }).waitFor(WAIT);
  expect(submits).toEqual([]);

  // Valid to the browser, refused by the server: the title is taken.
  await member.locator("#title").fill("Welcome to the board");
  await member.locator("#body").fill("A body long enough for the rules.");
  await member.getByRole("button", { name: "Post" }).click();
  await member.locator("[data-field=title] .field-error", { hasText: "already titled" }).waitFor(WAIT);
  expect(submits).toHaveLength(1);
  await member.screenshot({ path: join(ARTIFACTS, `${artifacts}-form-typed-error.png`) });

  // Valid: written, and the admin's open board shows it without a reload.
  const title = `Live from the test ${Date.now()}`;
  await member.locator("#title").fill(title);
  await member.getByRole("button", { name: "Post" }).click();
  await member.locator("#post-title", { hasText: title }).waitFor(WAIT);
  await admin.locator("#posts", { hasText: title }).waitFor(WAIT);
  expect(await admin.evaluate(() => "demoMarker" in window)).toBe(true);

  // The board chat: the admin speaks, the member hears it. A line sent before the
  // member's subscription is acknowledged is not delivered, so the admin repeats itself
  // (a bounded number of times) until it is heard.
  await member.getByRole("link", { name: "← board" }).click();
  await member.locator(".chat .status", { hasText: "open" }).waitFor(WAIT);
  await admin.locator(".chat .status", { hasText: "open" }).waitFor(WAIT);
  const line = member.locator("#chat-lines", { hasText: "hello from admin" });
  for (let attempt = 0; attempt < 5 && !(await line.isVisible()); attempt++) {
    await admin.locator("input[name=chat]").fill("hello from admin");
    await admin.getByRole("button", { name: "Send" }).click();
    await line.waitFor({ timeout: 2_000 }).catch(() => undefined);
  }
  await line.waitFor(WAIT);
  await member.screenshot({ path: join(ARTIFACTS, `${artifacts}-board-chat.png`) });
  await member.context().close();
  await admin.context().close();
}

describe("the demo in a browser", () => {
  it("answers a second reader of a board from the origin cache", async () => {
    const first = await openPage();
    await first.goto(`${server.url}boards/1`, WAIT);
    await first.locator("[data-source]").first().waitFor(WAIT);
    const second = await openPage();
    await second.goto(`${server.url}boards/1`, WAIT);
    await expect.poll(() => second.locator("h1 [data-source]").textContent(), WAIT).toBe("origin cache");
    await second.screenshot({ path: join(ARTIFACTS, "board-anonymous.png") });
    await first.context().close();
    await second.context().close();
  });

  it("checks the form in the browser, shows the server's typed error at the field, and updates other readers live", async () => {
    await formLiveAndChat(server.url, server.url, "one");
  });

  it("never gives a guest or an anonymous reader member-only data, in the page or in any response", async () => {
    // The control: a member does receive it, so the check below can see it.
    const member = await openPage();
    const memberBodies = recordBodies(member);
    await signIn(member, server.url, "member");
    await member.goto(`${server.url}boards/3`, WAIT);
    await member.locator("#posts", { hasText: "Secret roadmap" }).waitFor(WAIT);
    expect((await memberBodies()).some((body) => body.includes("Secret roadmap"))).toBe(true);
    await member.context().close();

    for (const who of ["guest", "anonymous"] as const) {
      const page = await openPage();
      const bodies = recordBodies(page);
      if (who === "guest") await signIn(page, server.url, "guest");
      await page.goto(server.url, WAIT);
      await page.locator("#member-boards .muted").waitFor(WAIT);
      if (who === "guest") await page.screenshot({ path: join(ARTIFACTS, "home-guest.png") });
      const texts = [await page.locator("main").innerText()];
      for (const path of ["boards/3", "posts/3"]) {
        await page.goto(`${server.url}${path}`, WAIT);
        await page.locator("main .error", { hasText: "not_found" }).waitFor(WAIT);
        texts.push(await page.locator("main").innerText());
      }
      const received = await bodies();
      expect(received.length).toBeGreaterThan(3);
      for (const secret of MEMBERS_ONLY) {
        for (const text of [...texts, ...received]) expect(text, `${who} received "${secret}"`).not.toContain(secret);
      }
      await page.context().close();
    }
  });

  it("signs in with an HttpOnly cookie the page cannot read, refuses a write without the CSRF header, and signs out", async () => {
    const page = await openPage();
    await signIn(page, server.url, "member");
    const cookie = (await page.context().cookies()).find((c) => c.name === "mizan_token");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/mizan" });
    const visible = await page.evaluate(() => ({
      cookie: document.cookie,
      stored: [...Object.keys(sessionStorage), ...Object.keys(localStorage)],
    }));
    expect(visible.cookie).not.toContain("mizan_token");
    expect(visible.stored).toEqual([]);

    // Calls carry the cookie: the members-only board opens.
    await page.goto(`${server.url}boards/3`, WAIT);
    await page.locator("#posts", { hasText: "Secret roadmap" }).waitFor(WAIT);

    // A write that carries the cookie but not the CSRF header, as a forged cross-site form
    // would: refused, and nothing written.
    const forged = await page.evaluate(async () => {
      const response = await fetch("/mizan/call/add_comment", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ post_id: 3, body: "Forged by another site" }),
      });
      return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
    });
    expect(forged).toMatchObject({ status: 403, body: { error: { code: "csrf_failed" } } });

    const logouts: number[] = [];
    page.on("response", (response) => {
      if (response.url().endsWith("/call/mizan.logout")) logouts.push(response.status());
    });
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("link", { name: "Sign in" }).waitFor(WAIT);
    await expect.poll(() => logouts, WAIT).toEqual([200]);
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain("mizan_token");
    const after = await page.evaluate(async () => (await fetch("/mizan/call/me?input=null")).status);
    expect(after).toBe(401);
    await page.context().close();
  });

  it("shows the operator the registry, live counters and the API reference", async () => {
    const admin = await openPage();
    await signIn(admin, server.url, "admin");
    await admin.goto(`${server.url}operator`, WAIT);
    await admin.locator("#registry", { hasText: "new_post.submit" }).waitFor(WAIT);
    await admin.locator("#api-reference .opblock").first().waitFor(WAIT);
    const requests = admin.locator("[data-counter=requests] .value");
    await requests.waitFor(WAIT);
    const before = Number(await requests.textContent());
    const reader = await openPage();
    await reader.goto(`${server.url}boards/2`, WAIT);
    await expect.poll(async () => Number(await requests.textContent()), WAIT).toBeGreaterThan(before);
    await admin.screenshot({ path: join(ARTIFACTS, "operator.png"), fullPage: true });
    await reader.context().close();
    await admin.context().close();
  });
});

describe("a short sign-in lifetime", () => {
  it("is renewed in the background: the page keeps working past several expiries with no user action", async () => {
    const TTL = 4;
    const demo = await startDemo({ dataDir: tempDir(), tokenTtl: TTL });
    try {
      const page = await openPage();
      const refreshes: number[] = [];
      page.on("response", (response) => {
        if (response.url().endsWith("/call/mizan.refresh")) refreshes.push(response.status());
      });
      await signIn(page, demo.url, "member");
      await page.goto(`${demo.url}boards/1`, WAIT);
      await page.locator(".chat .status", { hasText: "open" }).waitFor(WAIT);
      const started = refreshes.length; // the start-up check after the page load

      // Three and a half lifetimes of doing nothing.
      await page.waitForTimeout(TTL * 3_500);
      const renewed = refreshes.slice(started);
      expect(renewed.length).toBeGreaterThanOrEqual(3);
      expect(renewed.every((status) => status === 200)).toBe(true);

      // Still signed in, nothing shown as failed, and the cookie still speaks for the member:
      // over HTTP (a members-only call) and over the WebSocket (a chat line).
      await page.locator("#account", { hasText: "(member," }).waitFor(WAIT);
      expect(await page.locator(".error").count()).toBe(0);
      const me = await page.evaluate(async () => (await (await fetch("/mizan/call/me?input=null")).json()) as unknown);
      expect(me).toMatchObject({ data: { user: "member" } });
      await page.locator(".chat .status", { hasText: "open" }).waitFor(WAIT);
      const line = page.locator("#chat-lines", { hasText: "still here" });
      for (let attempt = 0; attempt < 5 && !(await line.isVisible()); attempt++) {
        await page.locator("input[name=chat]").fill("still here");
        await page.getByRole("button", { name: "Send" }).click();
        await line.waitFor({ timeout: 2_000 }).catch(() => undefined);
      }
      await line.waitFor(WAIT);
      expect(await page.locator(".error").count()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, "silent-refresh.png") });
      await page.context().close();
    } finally {
      await demo.stop();
    }
  });
});

/** Writes a post, restarts the server on the same database, and reads the post back. */
async function survivesRestart(options: { dataDir: string; databaseUrl?: string }): Promise<void> {
  const title = `Kept across restarts ${Date.now()}`;
  let running = await startDemo(options);
  try {
    const writer = await openPage();
    await signIn(writer, running.url, "member");
    await writePost(writer, running.url, title);
    await writer.context().close();
    await running.stop();
    running = await startDemo(options);
    const reader = await openPage();
    await reader.goto(`${running.url}boards/1`, WAIT);
    await reader.locator("#posts", { hasText: title }).waitFor(WAIT);
    await reader.context().close();
  } finally {
    await running.stop();
  }
}

describe("the demo behind its edge worker (examples/demo/edge in miniflare)", () => {
  it("serves public answers from the edge, on the wire and in the page", async () => {
    const demo = await startDemo({ dataDir: tempDir() });
    const edge = await startEdge({ origin: demo.url.replace(/\/+$/, "") });
    try {
      const tags = "list_public_boards,boards,posts";
      const revisions = ((await (await fetch(`${edge.url}mizan/revisions?tags=${tags}`)).json()) as { revisions: Record<string, number> }).revisions;
      const rev = Object.values(revisions).reduce((a, b) => a + b, 0);
      const call = `${edge.url}mizan/call/list_public_boards?input=null&rev=${rev}`;
      const first = await fetch(call);
      expect(first.headers.get("mizan-edge")).toBe("miss");
      const again = await fetch(call);
      expect(again.headers.get("mizan-edge")).toBe("hit");
      expect(await again.json()).toEqual(await first.json());

      // A fresh page knows no revision, so its first dashboard passes the edge by; once it
      // knows them (from the answers), each composition names them and the edge keys the
      // members: a later visit stores the public boards, and the next is answered by the edge.
      const reader = await openPage();
      await reader.goto(edge.url, WAIT);
      const boards = reader.locator('[title^="list_public_boards:"]');
      await expect.poll(() => boards.getAttribute("data-source"), WAIT).toBe("origin cache");
      // How many visits that takes depends on when the revisions arrive; a few at most.
      let source: string | null = null;
      for (let visit = 0; visit < 4 && source !== "edge"; visit++) {
        await reader.locator('a[href^="/boards/"]').first().click();
        await reader.locator("h1 [data-source]").waitFor(WAIT);
        await reader.goBack();
        await expect.poll(() => boards.getAttribute("data-source"), WAIT).toMatch(/^(origin cache|edge)$/);
        source = await boards.getAttribute("data-source");
      }
      expect(source).toBe("edge");
      await reader.screenshot({ path: join(ARTIFACTS, "edge-hits.png") });
      await reader.context().close();
    } finally {
      await edge.dispose();
      await demo.stop();
    }
  });
});

describe("a restart loses nothing", () => {
  it("with SQLite", async () => {
    await survivesRestart({ dataDir: tempDir() });
  });

  const database = `demo_e2e_${process.pid}_${Date.now()}`;
  const url = postgres(database);
  it.skipIf(url === undefined)("with PostgreSQL", async () => {
    psql(`CREATE DATABASE ${database}`);
    try {
      await survivesRestart({ dataDir: tempDir(), databaseUrl: url });
    } finally {
      psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  });
});

describe("two instances on one Redis", () => {
  const url = redis();
  const prefix = `demo-e2e-${process.pid}-${Date.now()}:`;
  let instances: DemoServer[] = [];

  beforeAll(async () => {
    if (url === undefined) return;
    // One board (the same SQLite file), one cache, one channel layer.
    const dataDir = tempDir();
    const first = await startDemo({ dataDir, redis: { url, prefix } });
    instances = [first, await startDemo({ dataDir, redis: { url, prefix } })];
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    if (url === undefined) return;
    const keys = spawnSync("redis-cli", ["--scan", "--pattern", `${prefix}*`], { encoding: "utf8", timeout: 10_000 });
    const names = keys.stdout.split("\n").filter((key) => key !== "");
    if (names.length > 0) spawnSync("redis-cli", ["del", ...names], { timeout: 10_000 });
  });

  it.skipIf(url === undefined)("share the cache: what one computed, the other answers from it", async () => {
    const [a, b] = instances as [DemoServer, DemoServer];
    const first = await openPage();
    await first.goto(`${a.url}boards/2`, WAIT);
    await first.locator("h1 [data-source]").waitFor(WAIT);
    const second = await openPage();
    await second.goto(`${b.url}boards/2`, WAIT);
    await expect.poll(() => second.locator("h1 [data-source]").textContent(), WAIT).toBe("origin cache");
    await first.context().close();
    await second.context().close();
  });

  it.skipIf(url === undefined)("share revisions and channels: a post and a chat line reach the other instance's browser live", async () => {
    const [a, b] = instances as [DemoServer, DemoServer];
    await formLiveAndChat(a.url, b.url, "two");
  });
});

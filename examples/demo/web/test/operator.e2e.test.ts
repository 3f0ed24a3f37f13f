import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type DemoServer } from "./demoServer";

// The operator page against the built demo in Debian's Chromium: its per-function counters
// arrive over the `operator_stats` channel, so a call made in another browser shows up
// without a reload; only the admin is shown them.

const WAIT = { timeout: 10_000 };
/** Screenshots, kept as test artifacts (never committed). */
const ARTIFACTS = fileURLToPath(new URL("../test-results/", import.meta.url));

let browser: Browser;
let server: DemoServer;
let dataDir: string;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    timeout: 30_000,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), "mizan-operator-"));
  server = await startDemo({ dataDir });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function openPage(): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  page.on("pageerror", (error) => {
    throw error;
  });
  return page;
}

async function signIn(page: Page, user: "admin" | "member"): Promise<void> {
  await page.goto(`${server.url}signin`, WAIT);
  await page.locator(`input[name=user][value=${user}]`).check();
  await page.getByRole("button", { name: `Sign in as ${user}` }).click();
  await page.locator("#account", { hasText: `(${user},` }).waitFor(WAIT);
}

describe("the operator page", () => {
  it("counts another browser's cache hits live, without a reload", async () => {
    const admin = await openPage();
    await signIn(admin, "admin");
    await admin.goto(`${server.url}operator`, WAIT);
    const row = admin.locator("#registry tr[data-function=list_public_boards]");
    const hits = row.locator("[data-count=cache_hits]");
    // The first push of the channel fills the bar's numbers in.
    await hits.waitFor(WAIT);
    const before = Number(await hits.textContent());

    // Two fresh guests open the home page: the public board list is computed at most once
    // and then shared, so the second one is a hit whatever the first was.
    for (let visit = 0; visit < 2; visit++) {
      const reader = await openPage();
      await reader.goto(server.url, WAIT);
      await reader.locator("main .card").first().waitFor(WAIT);
      await reader.context().close();
    }
    const navigations = await admin.evaluate(() => performance.getEntriesByType("navigation").length);
    await expect.poll(async () => Number(await hits.textContent()), WAIT).toBeGreaterThan(before);
    expect(Number(await row.locator("[data-count=calls]").textContent())).toBeGreaterThanOrEqual(2);
    // Still the same document: the numbers came over the WebSocket.
    expect(await admin.evaluate(() => performance.getEntriesByType("navigation").length)).toBe(navigations);
    await admin.setViewportSize({ width: 1280, height: 900 });
    await admin.screenshot({ path: join(ARTIFACTS, "operator-live.png") });
    await admin.context().close();
  });

  it("shows a member no counters, and the channel refuses them", async () => {
    const member = await openPage();
    await signIn(member, "member");
    await member.goto(`${server.url}operator`, WAIT);
    await member.locator("#operator-refused").waitFor(WAIT);
    expect(await member.locator("#registry").count()).toBe(0);
    // Subscribing by hand is refused by the channel's access rule.
    const refused = await member.evaluate(async () => {
      const token = sessionStorage.getItem("mizan-demo-token");
      const socket = new WebSocket(`${location.origin.replace("http", "ws")}/mizan/ws`);
      await new Promise((resolve) => socket.addEventListener("open", resolve));
      const answer = new Promise<string>((resolve) =>
        socket.addEventListener("message", (event) => {
          const frame = JSON.parse(String(event.data)) as { id?: number; type: string; error?: { code: string } };
          if (frame.id === 2) resolve(`${frame.type}:${frame.error?.code ?? ""}`);
        }),
      );
      // A token in this tab's storage goes in an `auth` frame; a sign-in cookie came with the handshake.
      if (token !== null) socket.send(JSON.stringify({ type: "auth", id: 1, token }));
      socket.send(JSON.stringify({ type: "subscribe", id: 2, channel: "operator_stats", params: null }));
      const result = await answer;
      socket.close();
      return result;
    });
    expect(refused).toMatch(/^error:forbidden/);
    await member.context().close();
  });
});

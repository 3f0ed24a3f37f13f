import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createMizan } from "../src/mizan/client";

// The built server (scripts/test builds it and says where), on a free loopback port.
const BINARY = process.env["SERVER_BINARY"] ?? new URL("../../target/debug/{{name}}", import.meta.url).pathname;

let server: ChildProcess;
let url: string;

beforeAll(async () => {
  server = spawn(BINARY, [], { env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "inherit"] });
  url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("the server printed no URL within 20s")), 20_000);
    server.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const found = /open (http:\/\/\S+)/.exec(out)?.[1];
      if (found !== undefined) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    server.once("exit", (code) => reject(new Error(`the server exited (${code})`)));
  });
});

afterAll(() => {
  server?.kill("SIGTERM");
});

it("calls hello through the generated client", async () => {
  const api = createMizan({ baseUrl: `${url}mizan` });
  expect(await api.hello.query({ name: "Ada" })).toBe("Hello, Ada!");
});

it("serves the built page", async () => {
  const page = await (await fetch(url)).text();
  expect(page).toContain('<div id="root"></div>');
});

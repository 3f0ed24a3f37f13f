import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** The repository root (the cargo workspace). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const HELLO_BINARY = `${REPO_ROOT}target/debug/hello`;

/** `cargo build -p hello` (a no-op when it is up to date). `MIZAN_SKIP_CARGO=1` skips it. */
export function buildHello(): void {
  if (process.env["MIZAN_SKIP_CARGO"] === "1" && existsSync(HELLO_BINARY)) return;
  const result = spawnSync("cargo", ["build", "-q", "-p", "hello"], { cwd: REPO_ROOT, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`cargo build -p hello failed (${result.status ?? result.signal})`);
}

/** A free loopback port (the OS picks one, we release it for the server to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface RunningHello {
  /** e.g. `http://127.0.0.1:40123/mizan` */
  readonly baseUrl: string;
  stop(): Promise<void>;
}

/** Starts the built hello binary on a free port and waits until `/mizan/schema` answers. */
export async function startHello(): Promise<RunningHello> {
  const port = await freePort();
  const child: ChildProcess = spawn(HELLO_BINARY, [], {
    env: { ...process.env, HELLO_ADDR: `127.0.0.1:${port}`, RUST_LOG: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const baseUrl = `http://127.0.0.1:${port}/mizan`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hello exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${baseUrl}/schema`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error("hello did not answer /mizan/schema within 30s");
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    baseUrl,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

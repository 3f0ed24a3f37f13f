import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
/** The server `scripts/demo --build-only` built. */
const BINARY = process.env["DEMO_BINARY"] ?? `${REPO}target/debug/demo`;
const WEB_DIR = fileURLToPath(new URL("../dist/", import.meta.url));

export interface DemoServer {
  /** e.g. `http://127.0.0.1:40123/` */
  readonly url: string;
  stop(): Promise<void>;
}

export interface DemoOptions {
  /** The SQLite data directory (a temp dir per test). */
  readonly dataDir: string;
  /** A PostgreSQL URL instead of SQLite. */
  readonly databaseUrl?: string;
  /** Share cache, revisions and channels with other instances through this Redis. */
  readonly redis?: { readonly url: string; readonly prefix: string };
  /** How long a sign-in lasts, in seconds (`DEMO_TOKEN_TTL`; the demo's default is 900). */
  readonly tokenTtl?: number;
}

/** Starts the demo on a free loopback port (the OS picks it) and waits for its URL line. */
export function startDemo(options: DemoOptions): Promise<DemoServer> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DEMO_PORT: "0",
    DEMO_DATA_DIR: options.dataDir,
    DEMO_WEB_DIR: WEB_DIR,
    RUST_LOG: "warn",
  };
  for (const name of ["DATABASE_URL", "MIZAN_REDIS_URL", "MIZAN_REDIS_PREFIX", "MIZAN_CACHE_SECRET", "DEMO_TOKEN_TTL"]) delete env[name];
  if (options.tokenTtl !== undefined) env["DEMO_TOKEN_TTL"] = String(options.tokenTtl);
  if (options.databaseUrl !== undefined) env["DATABASE_URL"] = options.databaseUrl;
  if (options.redis !== undefined) {
    env["MIZAN_REDIS_URL"] = options.redis.url;
    env["MIZAN_REDIS_PREFIX"] = options.redis.prefix;
  }
  const child: ChildProcess = spawn(BINARY, [], { env, stdio: ["ignore", "pipe", "inherit"] });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error("the demo printed no URL within 30s"));
    }, 30_000);
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /demo: open (http:\/\/\S+)/.exec(out)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ url, stop });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code}`));
    });
  });
}

/** The local PostgreSQL's superuser URL for `database`, or undefined when none answers. */
export function postgres(database: string): string | undefined {
  const ready = spawnSync("pg_isready", ["-h", "127.0.0.1", "-p", "5432", "-t", "3"], { stdio: "ignore" });
  return ready.status === 0 ? `postgres://postgres@127.0.0.1:5432/${database}` : undefined;
}

/** The local Redis's URL, or undefined when none answers (scripts/ensure-services starts it). */
export function redis(): string | undefined {
  const ping = spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", "6379", "ping"], { encoding: "utf8", timeout: 5_000 });
  return ping.stdout?.trim() === "PONG" ? "redis://127.0.0.1:6379" : undefined;
}

/** Runs one statement against the `test` database (CREATE / DROP DATABASE). */
export function psql(sql: string): void {
  const result = spawnSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-v", "ON_ERROR_STOP=1", "-qc", sql], {
    encoding: "utf8",
    timeout: 15_000,
  });
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
}

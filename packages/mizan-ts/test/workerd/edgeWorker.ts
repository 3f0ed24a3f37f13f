// The edge module as a Workers module, bundled by edge.workerd.test.ts and run in workerd
// with the real examples/hello server (behind a counting proxy) as its origin.
import type { FunctionTable } from "../../src/client/functionTable.js";
import { createEdgeHandler } from "../../src/edge/index.js";

interface Env {
  readonly ORIGIN: string;
  readonly SIGNING_KEY: string;
  readonly CACHE_SECRET: string;
  readonly FUNCTIONS?: FunctionTable;
  readonly COMPOSITIONS?: Readonly<Record<string, readonly string[]>>;
}

const utf8 = new TextEncoder();
let handler: ((request: Request) => Promise<Response>) | undefined;

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    handler ??= createEdgeHandler({
      origin: env.ORIGIN,
      keys: { dev: utf8.encode(env.SIGNING_KEY) },
      cacheSecret: utf8.encode(env.CACHE_SECRET),
      ...(env.FUNCTIONS === undefined ? {} : { functions: env.FUNCTIONS }),
      ...(env.COMPOSITIONS === undefined ? {} : { compositions: env.COMPOSITIONS }),
    });
    // No execution context: the cache write is awaited, so the next request of a test
    // sees it (in production pass ctx, and the write runs in waitUntil).
    return handler(request);
  },
};

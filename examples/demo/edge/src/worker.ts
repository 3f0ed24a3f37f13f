// The demo's edge worker: answers cached Mizan queries (single calls, batch and composition
// members) from the Workers cache after verifying the caller's token, and forwards every
// other request to the demo server. The tables come from the server's schema
// (`npm run generate`), so the edge only caches what the schema says, with its access rules.
import type { FunctionTable } from "mizan";
import { createEdgeHandler, type EdgeContext } from "mizan/edge";
import tables from "./tables.json";

interface Env {
  /** The demo server, e.g. `https://demo-origin.example.com`. */
  readonly ORIGIN: string;
  /** The `kid` of the server's signing key. */
  readonly SIGNING_KID: string;
  /** Secret: the server's signing key. */
  readonly SIGNING_KEY: string;
  /** Secret: the server's cache secret. */
  readonly CACHE_SECRET: string;
}

const utf8 = new TextEncoder();
let handler: ((request: Request, context?: EdgeContext) => Promise<Response>) | undefined;

export default {
  fetch(request: Request, env: Env, context: EdgeContext): Promise<Response> {
    const origin = env.ORIGIN.replace(/\/+$/, "");
    const url = new URL(request.url);
    if (url.pathname !== "/mizan" && !url.pathname.startsWith("/mizan/")) {
      return fetch(new Request(`${origin}${url.pathname}${url.search}`, request));
    }
    handler ??= createEdgeHandler({
      origin: `${origin}/mizan`,
      keys: { [env.SIGNING_KID]: utf8.encode(env.SIGNING_KEY) },
      cacheSecret: utf8.encode(env.CACHE_SECRET),
      functions: tables.functions as FunctionTable,
      compositions: tables.compositions,
    });
    return handler(request, context);
  },
};

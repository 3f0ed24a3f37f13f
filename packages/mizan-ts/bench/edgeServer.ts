// The edge worker (test/workerd/edgeWorker.ts) in workerd through miniflare, listening on a
// loopback port in front of a Mizan origin, for scripts/bench-edge. Not a test.
// Usage (bundled by scripts/bench-edge): node edgeServer.mjs ORIGIN_BASE PORT
import { Miniflare } from "miniflare";
import { functionTableOf, parseSchemaDocument } from "../src/codegen/index.js";
import { bundleWorker } from "../test/workerd/bundleWorker.js";

const [origin, port] = process.argv.slice(2);
if (origin === undefined || port === undefined) throw new Error("usage: edgeServer ORIGIN_BASE PORT");

const script = await bundleWorker(new URL("../test/workerd/edgeWorker.ts", import.meta.url).pathname);
const schema = parseSchemaDocument(await (await fetch(`${origin}/schema`)).json());
const edge = new Miniflare({
  modules: true,
  script,
  compatibilityDate: "2025-09-01",
  host: "127.0.0.1",
  port: Number(port),
  bindings: {
    ORIGIN: origin,
    SIGNING_KEY: "hello-dev-signing-key",
    CACHE_SECRET: "hello-dev-cache-secret",
    FUNCTIONS: functionTableOf(schema),
  },
});
console.log(`edge on ${(await edge.ready).toString()}`);
process.on("SIGTERM", () => void edge.dispose().then(() => process.exit(0)));

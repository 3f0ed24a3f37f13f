// Runs the edge worker locally in miniflare (workerd) in front of the demo server, as
// `wrangler deploy` would run it on Cloudflare: `node dev.mjs` (scripts/demo-edge), or
// `node dev.mjs --build-only` to bundle it to dist/worker.js. The secrets default to the
// demo server's development secrets (what it uses without MIZAN_CACHE_SECRET).
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));

/** Bundles src/worker.ts as Workers bundle it: one ES module, Web APIs only. */
export async function bundleWorker() {
  const result = await build({
    entryPoints: [`${here}src/worker.ts`],
    outfile: `${here}dist/worker.js`,
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "import"],
    target: "es2022",
    logLevel: "warning",
  });
  if (result.errors.length > 0) throw new Error("the worker did not bundle");
  return `${here}dist/worker.js`;
}

/**
 * Starts the worker on 127.0.0.1:`port` (0: a free one) in front of `origin`, the demo
 * server's URL; resolves to its URL and a `dispose`.
 */
export async function startEdge({ origin, port = 0, signingKey = "demo-dev-signing-key", cacheSecret = "demo-dev-cache-secret" }) {
  const mf = new Miniflare({
    modules: true,
    script: readFileSync(await bundleWorker(), "utf8"),
    compatibilityDate: "2025-09-01",
    host: "127.0.0.1",
    port,
    bindings: { ORIGIN: origin, SIGNING_KID: "dev", SIGNING_KEY: signingKey, CACHE_SECRET: cacheSecret },
  });
  const url = await mf.ready;
  return { url: url.href, dispose: () => mf.dispose() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--build-only")) {
    console.error(`bundled ${await bundleWorker()}`);
  } else {
    const origin = process.env.ORIGIN ?? "http://127.0.0.1:3000";
    const edge = await startEdge({
      origin,
      port: Number(process.env.EDGE_PORT ?? 8787),
      ...(process.env.SIGNING_KEY === undefined ? {} : { signingKey: process.env.SIGNING_KEY }),
      ...(process.env.CACHE_SECRET === undefined ? {} : { cacheSecret: process.env.CACHE_SECRET }),
    });
    console.log(`the edge worker (miniflare) in front of ${origin}: open ${edge.url}`);
  }
}

import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadVectors } from "./loadVectors.js";
import { bundleWorker } from "./workerd/bundleWorker.js";
import { VECTOR_FILES, type VectorReport, type VectorSet } from "./vectorChecks.js";

// The edge-compatibility suite: the same vectors, checked by src/core running inside the
// real Workers runtime (workerd, started by miniflare), must give the same digests.

describe("spec/vectors inside workerd", () => {
  let vectors: VectorSet;
  let mf: Miniflare | undefined;

  beforeAll(async () => {
    vectors = loadVectors();
    mf = new Miniflare({
      modules: true,
      script: await bundleWorker(new URL("./workerd/worker.ts", import.meta.url).pathname),
      compatibilityDate: "2025-09-01",
      bindings: { VECTORS: vectors },
    });
    await mf.ready;
  });

  afterAll(async () => {
    await mf?.dispose();
  });

  it("passes every vector of every file", async () => {
    const response = await mf!.dispatchFetch("http://localhost/");
    expect(response.status).toBe(200);
    const { runtime, report } = (await response.json()) as { runtime: string; report: VectorReport };
    expect(runtime).toBe("Cloudflare-Workers");
    expect(report.failures).toEqual([]);
    for (const file of VECTOR_FILES) expect(report.counts[file]).toBe(vectors[file].length);
    const total = VECTOR_FILES.reduce((sum, file) => sum + vectors[file].length, 0);
    expect(report.total).toBe(total);
    expect(report.passed).toBe(total);
  });
});

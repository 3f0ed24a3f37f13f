// The vector checks as a Workers module: bundled by vectors.workerd.test.ts and run in
// workerd, where only Web-standard APIs exist (no nodejs_compat flag is set).
import { runVectors, type VectorSet } from "../vectorChecks.js";

interface Env {
  readonly VECTORS: VectorSet;
}

export default {
  async fetch(_request: Request, env: Env): Promise<Response> {
    const report = await runVectors(env.VECTORS);
    return Response.json({ runtime: navigator.userAgent, report });
  },
};

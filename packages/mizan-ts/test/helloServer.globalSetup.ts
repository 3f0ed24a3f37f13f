import type { TestProject } from "vitest/node";
import { buildHello, startHello } from "./helloServer.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL of the examples/hello server the global setup started, e.g. `http://127.0.0.1:40123/mizan`. */
    helloUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  buildHello();
  const hello = await startHello();
  project.provide("helloUrl", hello.baseUrl);
  return () => hello.stop();
}

/** The edge worker running in miniflare: its URL (`http://127.0.0.1:PORT/`) and how to stop it. */
export interface LocalEdge {
  readonly url: string;
  dispose(): Promise<void>;
}

/** Bundles src/worker.ts to dist/worker.js; resolves to its path. */
export function bundleWorker(): Promise<string>;

/** Starts the worker in front of `origin` (the demo server's URL, without a trailing slash). */
export function startEdge(options: {
  readonly origin: string;
  readonly port?: number;
  readonly signingKey?: string;
  readonly cacheSecret?: string;
}): Promise<LocalEdge>;

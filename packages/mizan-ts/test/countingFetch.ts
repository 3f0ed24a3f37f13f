/** One request a `countingFetch` saw. */
export interface SeenRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: unknown;
  response?: Response;
}

/**
 * The global fetch, recording every request (and its response). hello exposes no request
 * metrics over HTTP, so the suites count client-side fetch invocations: one invocation is
 * one HTTP request to the server.
 */
export function countingFetch(): {
  fetch: (input: Request | string | URL, init?: RequestInit) => Promise<Response>;
  seen: SeenRequest[];
} {
  const seen: SeenRequest[] = [];
  return {
    seen,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const text = request.method === "GET" ? "" : await request.clone().text();
      const entry: SeenRequest = {
        method: request.method,
        url: new URL(request.url),
        headers: request.headers,
        body: text === "" ? undefined : (JSON.parse(text) as unknown),
      };
      seen.push(entry);
      const response = await fetch(request);
      // Read once and hand out two copies (happy-dom's Response.clone shares one stream).
      const body = await response.text();
      const copy = (): Response =>
        new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
      entry.response = copy();
      return copy();
    },
  };
}

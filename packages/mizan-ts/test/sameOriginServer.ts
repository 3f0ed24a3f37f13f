import { createServer, request as httpRequest, type Server } from "node:http";
import { connect as tcpConnect } from "node:net";
import { chromium, type Browser } from "playwright-core";

/** A static file the page server answers with. */
export interface PageFile {
  readonly type: string;
  readonly body: string | Uint8Array;
}

/**
 * Serves a page (`files(path)`) and proxies `/mizan/*` (HTTP and the WebSocket upgrade) to
 * the Mizan server at `mizan`: one origin, as a deployed app has (hello sends no CORS
 * headers). With `refuseUpgrades`, it answers every upgrade `403`, as networks that block
 * WebSockets do. Resolves to the listening server and its base URL.
 */
export function startSameOriginServer(
  files: (path: string) => PageFile | undefined,
  mizan: URL,
  options: { readonly refuseUpgrades?: boolean } = {},
): Promise<{ server: Server; url: string }> {
  const target = { hostname: mizan.hostname, port: Number(mizan.port) };
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    if (!path.startsWith("/mizan/")) {
      const file = files(path.split("?")[0] ?? "/");
      if (file === undefined) return void res.writeHead(404).end();
      return void res.writeHead(200, { "content-type": file.type }).end(file.body);
    }
    const upstream = httpRequest({ ...target, method: req.method, path, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  // The WebSocket upgrade: replay the request line and headers, then splice the sockets.
  server.on("upgrade", (req, socket, head) => {
    if (options.refuseUpgrades === true) {
      socket.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
      return;
    }
    const upstream = tcpConnect(target.port, target.hostname, () => {
      const headers = Object.entries(req.headersDistinct).flatMap(([k, vs]) => (vs ?? []).map((v) => `${k}: ${v}`));
      upstream.write(`${req.method ?? "GET"} ${req.url ?? "/"} HTTP/1.1\r\n${headers.join("\r\n")}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    const end = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on("error", end);
    socket.on("error", end);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = address !== null && typeof address === "object" ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}/` });
    }),
  );
}

/** Debian's Chromium (scripts/test-ts installs it), headless, with no network of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    timeout: 30_000,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

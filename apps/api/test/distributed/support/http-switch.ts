import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpSwitch {
  /** What the browser talks to: one origin, as behind a load balancer. */
  url: string;
  /** Sends the following requests to this upstream port. */
  use(port: number): void;
  close(): Promise<void>;
}

/**
 * A minimal reverse proxy on 127.0.0.1 whose upstream the test switches between requests, so one
 * browser-like client (one cookie jar) can log in through one API process and go on through
 * another, as it would behind a load balancer.
 */
export async function startHttpSwitch(initialPort: number): Promise<HttpSwitch> {
  let upstreamPort = initialPort;
  const server = createServer((req, res) => {
    const upstream = request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    use: (next) => {
      upstreamPort = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

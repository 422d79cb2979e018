import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestServer } from './harness.js';

export interface HostResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): any;
}

/** Serves a test app on a loopback port (real HTTP, as a proxy would reach it) and answers the port. */
export async function listen(s: TestServer): Promise<number> {
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  return (s.app.server.address() as AddressInfo).port;
}

/**
 * One HTTP request to 127.0.0.1:`port` naming `host` in its Host header, as a browser or curl
 * reaching that name through DNS would (fetch does not let a caller choose the Host header).
 */
export function hostRequest(
  port: number,
  host: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<HostResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          host,
          ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) }),
        );
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

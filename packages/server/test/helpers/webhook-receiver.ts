import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../src/domain/webhooks/signature.js';

export interface Received {
  id: string;
  timestamp: number;
  signature: string;
  body: string;
  /** Whether the signature verified with `opts.secret()` at the time (undefined when no secret was given). */
  verified?: boolean;
}

/**
 * A webhook receiver on loopback that answers with the statuses it is told, in turn (then 200).
 * Given `secret`, it checks each request's signature as a real receiver would, and answers 401 to
 * one that does not verify (then the delivery log shows the failure).
 */
export async function startReceiver(opts: { delayMs?: number; secret?: () => string | undefined } = {}) {
  const received: Received[] = [];
  const statuses: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const r: Received = {
        id: String(req.headers['webhook-id']),
        timestamp: Number(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
        body,
      };
      const secret = opts.secret?.();
      if (secret !== undefined) r.verified = verifyWebhook(secret, r.id, r.timestamp, r.body, r.signature);
      received.push(r);
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      inFlight--;
      res.statusCode = r.verified === false ? 401 : (statuses.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    statuses,
    maxInFlight: () => maxInFlight,
    async waitFor(n: number, timeoutMs = 15_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} deliveries, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

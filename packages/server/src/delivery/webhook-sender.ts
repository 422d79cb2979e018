import { signWebhook } from '../domain/webhooks/signature.js';
import { outboundFailure, type OutboundGuard } from '../lib/outbound-guard.js';

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  /** A coarse class only (`HTTP 502`, `timeout`, `connection failed`, `TLS error`, `address not allowed`). */
  error: string | null;
  durationMs: number;
}

/**
 * One Standard Webhooks POST through the outbound guard: the stored body byte for byte, signed for
 * this attempt's timestamp. 2xx is delivered; anything else (redirects are not followed) and
 * timeouts are failures. Neither the answer's body nor the error's message is kept: the delivery
 * log tells a manager what went wrong without mapping the network behind the URL.
 */
export async function postWebhook(
  outbound: OutboundGuard,
  url: string,
  secret: string,
  id: string,
  body: string,
  now: number,
  timeoutMs: number,
): Promise<AttemptResult> {
  const timestamp = Math.floor(now / 1000);
  const started = performance.now();
  try {
    const res = await outbound.fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Latchkey-Webhooks/1',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(secret, id, timestamp, body),
      },
      body,
    });
    await res.body?.cancel();
    const ok = res.status >= 200 && res.status < 300;
    return {
      ok,
      statusCode: res.status,
      error: ok ? null : `HTTP ${res.status}`,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    return {
      ok: false,
      statusCode: null,
      error: outboundFailure(err),
      durationMs: Math.round(performance.now() - started),
    };
  }
}

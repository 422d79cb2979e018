import { signWebhook } from '../domain/webhooks/signature.js';
import { ATTEMPT_TIMEOUT_MS } from '../domain/webhooks/backoff.js';

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * One Standard Webhooks POST: the stored body byte for byte, signed for this attempt's timestamp.
 * 2xx is delivered; anything else (redirects are not followed) and timeouts are failures. The
 * answer's body is never read back into the log.
 */
export async function postWebhook(url: string, secret: string, id: string, body: string, now: number): Promise<AttemptResult> {
  const timestamp = Math.floor(now / 1000);
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
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
    return { ok, statusCode: res.status, error: ok ? null : `HTTP ${res.status}`, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, statusCode: null, error: String(reason).slice(0, 200), durationMs: Math.round(performance.now() - started) };
  }
}

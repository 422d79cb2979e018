import { invalid } from '../errors.js';
import { isHttpsOrLoopback } from '../../lib/outbound-guard.js';

/**
 * A webhook URL: https, or plain http to a loopback address (tests, local development). No
 * credentials in the URL (they would sit in the database and the delivery log) and no fragment.
 * SSRF: the endpoint is chosen by a domain manager, so deliveries go through the outbound guard
 * (lib/outbound-guard.ts: public addresses only unless LATCHKEY_ALLOW_PRIVATE_OUTBOUND, checked when
 * connecting), redirects are never followed, and a failure is logged only as a coarse class.
 */
export function checkWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('url must be an absolute URL, e.g. https://hooks.example.com/latchkey');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('url must use https');
  if (!isHttpsOrLoopback(url)) throw invalid('url must use https (plain http is allowed to loopback addresses only)');
  if (url.username || url.password)
    throw invalid('url must not contain credentials; verify deliveries by their signature instead');
  if (url.hash) throw invalid('url must not contain a fragment');
  if (raw.length > 2000) throw invalid('url must be at most 2000 characters');
  return url.toString();
}

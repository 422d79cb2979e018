import { isIP } from 'node:net';
import { invalid } from '../errors.js';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopback(host: string): boolean {
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost')) return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/**
 * A webhook URL: https, or plain http to a loopback address (tests, local development). No
 * credentials in the URL (they would sit in the database and the delivery log) and no fragment.
 * SSRF: the endpoint is chosen by a domain manager, redirects are never followed, and answers are
 * never shown beyond their status code; addresses on the server's private network are not refused
 * (a manager may run the receiver there), so run Latchkey where its outbound traffic is filtered
 * if managers must not reach internal hosts.
 */
export function checkWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('url must be an absolute URL, e.g. https://hooks.example.com/latchkey');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('url must use https');
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) throw invalid('url must use https (plain http is allowed to loopback addresses only)');
  if (url.username || url.password) throw invalid('url must not contain credentials; verify deliveries by their signature instead');
  if (url.hash) throw invalid('url must not contain a fragment');
  if (raw.length > 2000) throw invalid('url must be at most 2000 characters');
  return url.toString();
}

// Small HTTP helpers for the set-up requests; any error answer stops the bench with a clear message.
import http from 'node:http';
import { BenchError } from './errors.js';

export function basic(user: string, password: string): string {
  // RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding.
  return 'Basic ' + Buffer.from(`${encodeURIComponent(user)}:${encodeURIComponent(password)}`).toString('base64');
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export interface Call {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** What this call is for, used in error messages. */
  what: string;
}

export interface Answer {
  status: number;
  text: string;
}

/**
 * One request on a fresh connection (no keep-alive pool: a pooled connection that the server under
 * load closes as idle makes a POST fail for nothing).
 */
export function send(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string,
  timeoutMs = 15_000,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(body);
    const req = http.request(
      url,
      {
        method,
        agent: false,
        headers: { ...headers, ...(payload ? { 'content-length': String(payload.length) } : {}) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Sends one request and returns its parsed JSON answer; throws a BenchError on a non-2xx answer. */
export async function call<T = Record<string, unknown>>(c: Call): Promise<T> {
  let res: Answer;
  try {
    res = await send(c.method, c.url, c.headers, c.body);
  } catch (err) {
    throw new BenchError(`${c.what}: ${c.method} ${c.url} failed: ${(err as Error).message}`);
  }
  const where = `${c.method} ${new URL(c.url).pathname}`;
  if (res.status < 200 || res.status > 299) {
    throw new BenchError(
      `${c.what}: ${where} answered HTTP ${res.status}: ${res.text.slice(0, 500) || '(empty body)'}`,
    );
  }
  try {
    return JSON.parse(res.text) as T;
  } catch {
    throw new BenchError(
      `${c.what}: ${where} answered HTTP ${res.status} with a body that is not JSON: ${res.text.slice(0, 200)}`,
    );
  }
}

/** Reads a required string field of an answer, with a clear message when it is missing. */
export function field(obj: Record<string, unknown>, name: string, what: string): string {
  const v = obj[name];
  if (typeof v !== 'string' || !v) {
    throw new BenchError(`${what}: the answer has no string field "${name}": ${JSON.stringify(obj).slice(0, 300)}`);
  }
  return v;
}

export const FORM = 'application/x-www-form-urlencoded';

/**
 * The management API's error type: routes and domain services throw it, one handler serialises it
 * as an RFC 9457 problem document ({type, title, status, detail}).
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly code: string = title.toLowerCase().replace(/[^a-z]+/g, '-'),
    readonly extra: Record<string, unknown> = {},
    /** Response headers that belong to the error (WWW-Authenticate, Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  get type(): string {
    return `https://latchkey.dev/problems/${this.code}`;
  }

  toJSON(): Record<string, unknown> {
    return { type: this.type, title: this.title, status: this.status, detail: this.detail, ...this.extra };
  }
}

export const badRequest = (detail: string, extra?: Record<string, unknown>) => new Problem(400, 'Bad Request', detail, 'bad-request', extra);
// RFC 9110: a 401 names the scheme to authenticate with.
export const unauthorized = (detail: string) =>
  new Problem(401, 'Unauthorized', detail, 'unauthorized', {}, { 'www-authenticate': 'Bearer realm="latchkey"' });
export const forbidden = (detail: string, code = 'forbidden') => new Problem(403, 'Forbidden', detail, code);
export const notFound = (detail: string) => new Problem(404, 'Not Found', detail, 'not-found');
export const conflict = (detail: string) => new Problem(409, 'Conflict', detail, 'conflict');
export const tooManyRequests = (detail: string, retryAfterSeconds: number) =>
  new Problem(429, 'Too Many Requests', detail, 'too-many-requests', {}, { 'retry-after': String(retryAfterSeconds) });

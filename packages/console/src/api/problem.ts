/** An API failure as people should read it: the problem document's detail, never a stack or JSON. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** "too many failed sign-ins; try again in 30 seconds" → "Too many failed sign-ins; try again in 30 seconds." */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const s = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

const FALLBACK: Record<number, string> = {
  401: 'Your session has ended. Sign in again.',
  403: 'You are not allowed to do this.',
  404: 'It does not exist (any more).',
  429: 'Too many requests. Wait a moment and try again.',
};

export function toApiError(error: unknown, response: Response): ApiError {
  const body = (error && typeof error === 'object' ? error : {}) as { detail?: unknown; code?: unknown };
  const detail = typeof body.detail === 'string' && body.detail ? sentence(body.detail) : undefined;
  // The problem's stable code (issuer_unreachable, session_expired…): branch on it, never on detail.
  const code = typeof body.code === 'string' ? body.code : undefined;
  const retry = Number(response.headers.get('retry-after'));
  const message =
    detail ?? FALLBACK[response.status] ?? `The server answered ${response.status} ${response.statusText}.`;
  return new ApiError(response.status, message, code, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}

export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof TypeError) return 'The server cannot be reached. Check your connection and try again.';
  return 'Something went wrong. Try again.';
}

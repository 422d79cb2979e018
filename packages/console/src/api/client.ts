import createClient, { defaultPathSerializer, type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { toApiError } from './problem';
import { hostTenant } from '../site';

/**
 * The one API client: typed from the server's OpenAPI document. The session cookie rides along on
 * its own; unsafe methods also carry the session's CSRF token.
 */
export const api = createClient<paths>({
  baseUrl: '',
  credentials: 'same-origin',
  // At a tenant host every endpoint lives at the root: the typed paths (`/t/{tenant}/api/v1/…`)
  // lose their tenant prefix. (Done as the URL is made: a request rebuilt by a middleware would
  // send its body as a stream, which browsers allow over HTTP/2 only.)
  pathSerializer: hostTenant
    ? (path, params) => defaultPathSerializer(path.replace(/^\/t\/\{tenant\}(?=\/)/, ''), params)
    : defaultPathSerializer,
});

/** Fires when a call answers 401 although the console thought it was signed in. */
export const sessionEnded = new EventTarget();

let csrfToken: string | null = null;
export const setCsrfToken = (token: string | null) => {
  csrfToken = token;
};

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken && UNSAFE.has(request.method)) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
};
api.use(csrf);

/** Data of a successful call, or an ApiError carrying the problem's readable message. */
export async function call<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await p;
  if (response.status === 401 && !new URL(response.url).pathname.endsWith('/api/v1/session'))
    sessionEnded.dispatchEvent(new Event('ended'));
  if (!response.ok) throw toApiError(error, response);
  return data as T;
}

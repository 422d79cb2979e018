import {
  DOMAIN_ERROR_CODES,
  DOMAIN_PROBLEM_CODES,
  type DomainErrorCode,
  type DomainProblemCode,
} from '../domain/errors.js';

/**
 * The management API's one error vocabulary: every problem document carries one of these as `code`
 * (snake_case, like RFC 6749's `error` and the domain's codes) and the same word in kebab-case as its
 * `type` URL. Clients branch on `code`; `detail` is for people and may change. Each code has one
 * status, so this table decides both, and the OpenAPI document lists it.
 */
const DOMAIN_CODES: Record<DomainErrorCode | DomainProblemCode, readonly [status: number, meaning: string]> = {
  invalid: [400, 'a value breaks a rule (the field and the rule are in detail)'],
  not_found: [404, 'no such resource'],
  conflict: [409, 'the change conflicts with what exists'],
  forbidden: [403, 'the caller may not do this'],
  throttled: [429, 'too many attempts: wait Retry-After seconds'],
  grant_refused: [400, 'a presented grant is invalid, expired, revoked or reused'],
  scope_refused: [400, 'the scope asked for is malformed or more than may be granted'],
  no_identity_provider: [409, 'single sign-on needs an enabled identity provider first'],
  interactive_sign_in: [403, 'a trust anchor changes only through an interactive sign-in, never a client credential'],
  reauthentication_required: [403, 'a first password needs a single sign-on within the last minutes: sign in again'],
  host_taken: [409, 'the host name belongs to another tenant: remove it there first'],
};

const HTTP_CODES = {
  invalid_cursor: [400, 'the cursor is not one this list handed out'],
  issuer_invalid: [
    400,
    "an issuer (an identity provider's, or a federation policy's), its discovery document or its keys are unusable",
  ],
  issuer_unreachable: [400, "an issuer (an identity provider's, or a federation policy's) could not be reached"],
  // 401s of the management API. Only token_expired and token_unknown_key are mended by a new access
  // token: the SDKs refresh once and retry for those, and for no other code.
  authentication_required: [401, 'no credentials: sign in, or send "Authorization: Bearer <token>"'],
  token_expired: [401, 'the access token has expired: get a new one and retry'],
  token_invalid: [401, 'the access token is malformed, badly signed, or not for this API or tenant'],
  token_unknown_key: [401, 'the access token was signed by a key the tenant withdrew: get a new one and retry'],
  token_revoked: [401, 'the access token was revoked'],
  client_revoked: [401, 'the client the token was issued to is revoked, expired or deactivated'],
  user_disabled: [401, 'the account is disabled or no longer exists'],
  session_expired: [401, 'the console session has expired or ended: sign in again'],
  session_other_tenant: [401, 'the console session belongs to another tenant'],
  invalid_credentials: [401, 'wrong email or password'],
  signature_invalid: [401, 'a signed report has no signature, an unknown key or a wrong signature'],
  csrf: [403, 'a cookie-authenticated change without the X-CSRF-Token header, or from another origin'],
  not_a_user: [403, "the management API needs a user's token, not an application's"],
  sso_enforced: [403, 'the domain enforces single sign-on: password sign-in is off'],
  credential_minting: [403, "a personal client's or application's token cannot create credentials"],
  insufficient_scope: [403, 'the token lacks the management scope the route needs (requiredScope)'],
  no_route: [404, 'no route for this method and path'],
  unknown_host: [404, 'the Host names no tenant of this server and is not its PUBLIC_URL host'],
  payload_too_large: [413, 'the body is too large'],
  unsupported_media_type: [415, 'the body has a content type this route does not take'],
  internal: [500, 'the server could not complete the request'],
  store_unavailable: [503, 'the database is unavailable: retry after Retry-After seconds'],
  keys_unavailable: [503, 'signing keys could not be fetched: retry later'],
  console_not_built: [503, 'the console has not been built'],
} as const;

export type ProblemCode = DomainErrorCode | DomainProblemCode | keyof typeof HTTP_CODES;
const CODES: Record<ProblemCode, readonly [status: number, meaning: string]> = { ...DOMAIN_CODES, ...HTTP_CODES };
/** Every code, in a stable order (the OpenAPI enum). */
export const PROBLEM_CODES = [
  ...DOMAIN_ERROR_CODES,
  ...DOMAIN_PROBLEM_CODES,
  ...Object.keys(HTTP_CODES),
] as ProblemCode[];
/** A Markdown list of the codes with their status and meaning, for the OpenAPI description. */
export const problemCodeMeanings = (): string =>
  PROBLEM_CODES.map((c) => `- \`${c}\` (${CODES[c][0]}): ${CODES[c][1]}`).join('\n');

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * The management API's error type: routes and domain services throw it, one handler serialises it
 * as an RFC 9457 problem document ({type, title, status, detail, code}).
 */
export class Problem extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    /** Response headers that belong to the error (WWW-Authenticate, Retry-After). */
    readonly headers: Record<string, string> = {},
    /** Only for a client error of Fastify's own whose status the table does not know. */
    status?: number,
  ) {
    super(detail);
    this.status = status ?? CODES[code][0];
    this.title = TITLES[this.status] ?? 'Error';
  }

  get type(): string {
    return `https://latchkey.dev/problems/${this.code.replaceAll('_', '-')}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...this.extra,
    };
  }
}

// RFC 9110: a 401 names the scheme to authenticate with.
const REALM = 'Bearer realm="latchkey"';

export const badRequest = (detail: string, extra?: Record<string, unknown>) => new Problem('invalid', detail, extra);
/** A 401 without a usable bearer token (none, a session, a password). */
export const unauthorized = (detail: string, code: ProblemCode = 'authentication_required') =>
  new Problem(code, detail, {}, { 'www-authenticate': REALM });
/** RFC 6750 §3.1: the bearer token cannot be used; `code` says why, and whether a new token can mend it. */
export const invalidToken = (code: ProblemCode, detail: string) =>
  new Problem(code, detail, {}, { 'www-authenticate': `${REALM}, error="invalid_token"` });
export const forbidden = (detail: string, code: ProblemCode = 'forbidden') => new Problem(code, detail);
export const notFound = (detail: string) => new Problem('not_found', detail);
export const conflict = (detail: string) => new Problem('conflict', detail);
export const tooManyRequests = (detail: string, retryAfterSeconds: number) =>
  new Problem('throttled', detail, {}, { 'retry-after': String(retryAfterSeconds) });

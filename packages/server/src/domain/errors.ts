import { SDK_CLIENT_ID } from './clients/model.js';

/**
 * Errors the domain raises, free of HTTP. The HTTP layer maps each code to a status
 * (http/problem.ts to problem documents, oauth/errors.ts to RFC 6749 errors); messages are written for people and are safe to show.
 * The codes are stable: the management API sends them as a problem's `code`.
 */
export const DOMAIN_ERROR_CODES = [
  'invalid',
  'not_found',
  'conflict',
  'forbidden',
  'throttled',
  /** A presented grant (refresh token, code, assertion) is invalid, expired, revoked or reused. */
  'grant_refused',
  /** The scope asked for is malformed, or more than may be granted. */
  'scope_refused',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** Codes more specific than a DomainErrorCode, for refusals a client may want to tell apart. */
export const DOMAIN_PROBLEM_CODES = [
  'no_identity_provider',
  'interactive_sign_in',
  'reauthentication_required',
  /** A host name another tenant holds. */
  'host_taken',
] as const;
export type DomainProblemCode = (typeof DOMAIN_PROBLEM_CODES)[number];

export class DomainError extends Error {
  /** `problem`: a more specific code than `code` (e.g. no_identity_provider); the API sends it instead. */
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
    readonly problem?: DomainProblemCode,
  ) {
    super(message);
  }
}

export const invalid = (m: string) => new DomainError('invalid', m);
export const notFoundError = (m: string) => new DomainError('not_found', m);
export const conflictError = (m: string, problem?: DomainProblemCode) =>
  new DomainError('conflict', m, undefined, problem);
export const forbiddenError = (m: string) => new DomainError('forbidden', m);
/** A trust anchor changed through a client credential (see viaClientCredential). */
export const interactiveSignInRequired = (what: string) =>
  new DomainError(
    'forbidden',
    `${what} needs an interactive sign-in (the console, or a token of your own sign-in through ${SDK_CLIENT_ID}); a personal client's or an application's token cannot`,
    undefined,
    'interactive_sign_in',
  );
export const throttledError = (m: string, retryAfterSeconds: number) =>
  new DomainError('throttled', m, retryAfterSeconds);
export const grantRefused = (m: string) => new DomainError('grant_refused', m);
export const scopeRefused = (m: string) => new DomainError('scope_refused', m);

/**
 * Errors the domain raises, free of HTTP. The HTTP layer maps each code to a status
 * (see http/domain-errors.ts); messages are written for people and are safe to show.
 */
export type DomainErrorCode = 'invalid' | 'not_found' | 'conflict' | 'forbidden' | 'throttled';

export class DomainError extends Error {
  /** `problem`: a more specific problem type than the code's (e.g. no-identity-provider). */
  constructor(readonly code: DomainErrorCode, message: string, readonly retryAfterSeconds?: number, readonly problem?: string) {
    super(message);
  }
}

export const invalid = (m: string) => new DomainError('invalid', m);
export const notFoundError = (m: string) => new DomainError('not_found', m);
export const conflictError = (m: string, problem?: string) => new DomainError('conflict', m, undefined, problem);
export const forbiddenError = (m: string) => new DomainError('forbidden', m);
export const throttledError = (m: string, retryAfterSeconds: number) => new DomainError('throttled', m, retryAfterSeconds);

/**
 * Errors the domain raises, free of HTTP. The HTTP layer maps each code to a status
 * (see http/domain-errors.ts); messages are written for people and are safe to show.
 */
export type DomainErrorCode = 'invalid' | 'not_found' | 'conflict' | 'forbidden' | 'throttled';

export class DomainError extends Error {
  constructor(readonly code: DomainErrorCode, message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

export const invalid = (m: string) => new DomainError('invalid', m);
export const notFoundError = (m: string) => new DomainError('not_found', m);
export const conflictError = (m: string) => new DomainError('conflict', m);
export const forbiddenError = (m: string) => new DomainError('forbidden', m);
export const throttledError = (m: string, retryAfterSeconds: number) => new DomainError('throttled', m, retryAfterSeconds);

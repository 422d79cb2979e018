// The sample API's own errors (not about tokens): bad query parameters, unknown routes. Same body
// shape as the verifier's: {"errorMessage": …, "errorCode": …}.

export type ApiErrorCode = 'ERR_INVALID_REQUEST' | 'ERR_INVALID_CURSOR' | 'ERR_NOT_FOUND' | 'ERR_INTERNAL';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const invalidRequest = (message: string) => new ApiError('ERR_INVALID_REQUEST', 400, message);
export const invalidCursor = () =>
  new ApiError('ERR_INVALID_CURSOR', 400, 'Invalid cursor: pass back the nextCursor of the previous page unchanged');

// `@latchkey/resource-server/verifier`: offline verification of Latchkey access tokens for your own APIs.
export { createVerifier, DEFAULT_ALGORITHMS } from './verify.js';
export type {
  AccessTokenClaims,
  Verifier,
  VerifierEvent,
  VerifierOptions,
  VerifiedToken,
  VerifyOptions,
} from './verify.js';
export type { ClientCredentials, IntrospectionOptions } from './introspection.js';
export type { JwksFetchEvent, JwksFetchReason } from './jwks-cache.js';
export type { FetchLike } from './fetch-json.js';
export {
  AuthorizationServerUnavailable,
  InsufficientScope,
  InvalidToken,
  MissingToken,
  TokenVerificationError,
} from './errors.js';
export type { InvalidTokenCode, TokenErrorCode } from './errors.js';
export { bearerToken, challenge, errorResponse } from './http.js';
export type { ErrorResponse } from './http.js';
export { latchkeyFastify } from './fastify.js';
export type { FastifyVerifierOptions } from './fastify.js';
export { latchkeyExpress } from './express.js';
export type { ExpressLikeRequest, ExpressLikeResponse, ExpressNext, ExpressVerifierOptions } from './express.js';

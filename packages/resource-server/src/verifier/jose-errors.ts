// jose's verification errors, translated into the verifier's own (stable codes, messages for people).
import { errors, type JWTPayload } from 'jose';
import { AuthorizationServerUnavailable, InvalidToken, TokenVerificationError } from './errors.js';

export interface ErrorContext {
  header: { kid?: string };
  /** The token's claims, decoded without verification (only to word the message). */
  payload: JWTPayload;
  issuer: string;
  audience: string | string[];
  clockTolerance: number;
}

function iso(seconds: unknown): string {
  return typeof seconds === 'number' && Number.isFinite(seconds)
    ? new Date(seconds * 1000).toISOString()
    : String(seconds);
}

/** The verifier's error for a jose error; anything else is returned unchanged (a bug, not a bad token). */
export function fromJoseError(
  err: unknown,
  { header, payload, issuer, audience, clockTolerance }: ErrorContext,
): unknown {
  if (err instanceof TokenVerificationError) return err;
  if (err instanceof errors.JWTExpired) {
    return new InvalidToken(
      'ERR_TOKEN_EXPIRED',
      `Expired token: it expired at ${iso(payload.exp)} (clock tolerance ${clockTolerance} s)`,
      { cause: err },
    );
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    const cause = { cause: err };
    if (err.reason === 'missing')
      return new InvalidToken('ERR_TOKEN_CLAIMS', `Token lacks the required "${err.claim}" claim`, cause);
    switch (err.claim) {
      case 'nbf':
        return new InvalidToken(
          'ERR_TOKEN_NOT_YET_VALID',
          `Token not yet valid: it is valid from ${iso(payload.nbf)}`,
          cause,
        );
      // Latchkey puts in `aud` the APIs whose scopes the token carries (the issuer stands for its
      // own management API): a token without this one's scopes is the usual cause, so say so.
      case 'aud':
        return new InvalidToken(
          'ERR_TOKEN_AUDIENCE',
          `This token grants no scope of this API (${JSON.stringify(audience)}): it is for ${JSON.stringify(payload.aud)} only. ` +
            "The roles of its user (or the scopes chosen for its client) include none of this API's scopes: ask a domain manager for a role that grants them, then get a new token",
          cause,
        );
      case 'iss':
        return new InvalidToken(
          'ERR_TOKEN_ISSUER',
          `Wrong issuer: the token was issued by ${JSON.stringify(payload.iss)}, this tenant's issuer is ${JSON.stringify(issuer)}`,
          cause,
        );
      case 'typ':
        return new InvalidToken('ERR_TOKEN_TYPE', 'Token type must be at+jwt (RFC 9068)', cause);
      default:
        return new InvalidToken('ERR_TOKEN_CLAIMS', `Invalid "${err.claim}" claim: ${err.message}`, cause);
    }
  }
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new InvalidToken('ERR_TOKEN_SIGNATURE', 'Invalid token signature', { cause: err });
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new InvalidToken(
      'ERR_TOKEN_UNKNOWN_KEY',
      `Token signed with a key this tenant does not publish (kid ${JSON.stringify(header.kid)})`,
      { cause: err },
    );
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return new InvalidToken('ERR_TOKEN_ALGORITHM', `Token algorithm not allowed: ${err.message}`, { cause: err });
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid)
    return new InvalidToken('ERR_TOKEN_MALFORMED', `Malformed token: ${err.message}`);
  if (err instanceof errors.JWKInvalid || err instanceof errors.JWKSInvalid) {
    return new AuthorizationServerUnavailable(
      "Cannot verify the token now: the tenant's key set holds an unusable key",
      { cause: err, detail: err.message },
    );
  }
  return err;
}

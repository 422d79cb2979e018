import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerToken, errorResponse } from '../../src/verifier/http.js';
import {
  AuthorizationServerUnavailable,
  InsufficientScope,
  InvalidToken,
  MissingToken,
} from '../../src/verifier/errors.js';

describe('RFC 6750 on the wire', () => {
  test('bearerToken reads the Authorization header', () => {
    assert.equal(bearerToken('Bearer abc.def.ghi'), 'abc.def.ghi');
    assert.equal(bearerToken('bearer abc.def.ghi'), 'abc.def.ghi', 'the scheme is case-insensitive');
    assert.throws(() => bearerToken(undefined), MissingToken);
    assert.throws(() => bearerToken(''), MissingToken);
    assert.throws(() => bearerToken('Basic dXNlcjpwYXNz'), MissingToken, 'another scheme is no bearer token at all');
    for (const bad of ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer ä']) {
      assert.throws(
        () => bearerToken(bad),
        (err: unknown) => err instanceof InvalidToken && err.code === 'ERR_TOKEN_MALFORMED',
        bad,
      );
    }
    assert.throws(() => bearerToken(['Bearer a', 'Bearer b']), InvalidToken);
  });

  test('a missing token gets a challenge with the realm and no error code (§3.1)', () => {
    const r = errorResponse(new MissingToken(), 'sample');
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], 'Bearer realm="sample"');
    assert.equal(r.body.errorCode, 'ERR_TOKEN_MISSING');
    assert.equal(typeof r.body.errorMessage, 'string');
  });

  test('an invalid token: 401, error="invalid_token" and a description safe to quote', () => {
    const r = errorResponse(new InvalidToken('ERR_TOKEN_EXPIRED', 'Expired token: "x" \\ y'), 'sample');
    assert.equal(r.status, 401);
    assert.equal(
      r.headers['www-authenticate'],
      'Bearer error="invalid_token", error_description="Expired token: \'x\' \' y"',
    );
    assert.deepEqual(r.body, { errorMessage: 'Expired token: "x" \\ y', errorCode: 'ERR_TOKEN_EXPIRED' });
  });

  test('insufficient scope: 403 naming the scope in the challenge and the message', () => {
    const r = errorResponse(new InsufficientScope(['metering'], ['myservices']), 'sample');
    assert.equal(r.status, 403);
    assert.match(
      r.headers['www-authenticate'],
      /^Bearer error="insufficient_scope", scope="metering", error_description="[^"]*"$/,
    );
    assert.match(r.body.errorMessage, /scope "metering"/);
  });

  test('an unavailable authorization server: 503 with Retry-After, no challenge', () => {
    const r = errorResponse(new AuthorizationServerUnavailable('down'), 'sample');
    assert.equal(r.status, 503);
    assert.equal(r.headers['www-authenticate'], undefined);
    assert.equal(r.headers['retry-after'], '5');
  });
});

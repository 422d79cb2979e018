import { createPrivateKey, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { LatchkeyConfigError } from '../errors.js';
import { requestToken } from '../lib/token-endpoint.js';
import type { AccessToken } from './types.js';
import { scopeParam } from './password.js';
import { fromTokenResponse, type GrantContext, type TokenSource } from './types.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** An application that proves itself with a key whose public half is registered on it (RFC 7523). */
export interface JwtAssertionCredentials {
  /** The application's client id: the assertion's issuer and subject. */
  clientId: string;
  /** Its private key: a KeyObject, PEM text, or a private JWK (EC P-256/384/521, RSA or Ed25519). */
  privateKey: KeyObject | string | JsonWebKey;
  /** The `kid` of the registered public key (default: the JWK's own `kid`, if any). */
  keyId?: string;
  scope?: string | string[];
}

/** How long each assertion is valid: the server takes at most 300 s, and each is used at once. */
const ASSERTION_SECONDS = 60;

interface Signer {
  alg: string;
  sign(data: Buffer): Buffer;
}

function signerFor(key: KeyObject): Signer {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const [alg, hash] =
      curve === 'prime256v1'
        ? ['ES256', 'sha256']
        : curve === 'secp384r1'
          ? ['ES384', 'sha384']
          : curve === 'secp521r1'
            ? ['ES512', 'sha512']
            : [];
    if (!alg)
      throw new LatchkeyConfigError(`credentials.privateKey: the EC curve ${curve} is not one of P-256, P-384, P-521`);
    return { alg, sign: (data) => sign(hash, data, { key, dsaEncoding: 'ieee-p1363' }) };
  }
  if (key.asymmetricKeyType === 'rsa') return { alg: 'RS256', sign: (data) => sign('sha256', data, key) };
  if (key.asymmetricKeyType === 'ed25519') return { alg: 'EdDSA', sign: (data) => sign(null, data, key) };
  throw new LatchkeyConfigError(
    `credentials.privateKey: a ${key.asymmetricKeyType} key cannot sign assertions (use EC, RSA or Ed25519)`,
  );
}

function privateKeyOf(k: JwtAssertionCredentials['privateKey']): KeyObject {
  try {
    if (typeof k === 'string') return createPrivateKey(k);
    if ('asymmetricKeyType' in k) return k as KeyObject;
    return createPrivateKey({ key: k as JsonWebKey, format: 'jwk' });
  } catch (err) {
    throw new LatchkeyConfigError(`credentials.privateKey is not a private key: ${(err as Error).message}`);
  }
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * The jwt-bearer grant (RFC 7523 §2.1) without client authentication: each access token is bought
 * with a fresh assertion signed by the application's key (iss and sub its client id, aud the token
 * endpoint, a one-time jti, valid a minute). No refresh token: a new assertion is simply signed.
 */
export class JwtAssertionSource implements TokenSource {
  readonly kind = 'jwt_assertion' as const;
  readonly #ctx: GrantContext;
  readonly #clientId: string;
  readonly #signer: Signer;
  readonly #keyId: string | undefined;
  readonly #scope: Record<string, string>;

  constructor(ctx: GrantContext, credentials: JwtAssertionCredentials) {
    this.#ctx = ctx;
    this.#clientId = credentials.clientId;
    const key = privateKeyOf(credentials.privateKey);
    if (key.type !== 'private')
      throw new LatchkeyConfigError(
        'credentials.privateKey must be the private key (the public one is registered on the application)',
      );
    this.#signer = signerFor(key);
    const jwkKid =
      typeof credentials.privateKey === 'object' && 'kid' in credentials.privateKey
        ? credentials.privateKey.kid
        : undefined;
    this.#keyId = credentials.keyId ?? (typeof jwkKid === 'string' ? jwkKid : undefined);
    this.#scope = scopeParam(credentials.scope);
  }

  /** A signed assertion for this client, as the token endpoint wants it. */
  assertion(): string {
    const now = Math.floor(this.#ctx.now() / 1000);
    const header = { alg: this.#signer.alg, typ: 'JWT', ...(this.#keyId ? { kid: this.#keyId } : {}) };
    const claims = {
      iss: this.#clientId,
      sub: this.#clientId,
      aud: this.#ctx.tokenEndpoint,
      iat: now,
      exp: now + ASSERTION_SECONDS,
      jti: randomUUID(),
    };
    const input = `${b64url(header)}.${b64url(claims)}`;
    return `${input}.${this.#signer.sign(Buffer.from(input)).toString('base64url')}`;
  }

  async obtain(): Promise<AccessToken> {
    const response = await requestToken(
      this.#ctx.http,
      this.#ctx.tokenEndpoint,
      { method: 'assertion' },
      { grant_type: JWT_BEARER_GRANT, assertion: this.assertion(), ...this.#scope },
      `application ${this.#clientId} could not get a token with its assertion`,
    );
    return fromTokenResponse(response, this.#ctx.now());
  }

  async revoke(): Promise<boolean> {
    return false;
  }

  async confidentialAuth(): Promise<undefined> {
    return undefined;
  }

  toJSON(): Record<string, string> {
    return { kind: this.kind, clientId: this.#clientId };
  }
}

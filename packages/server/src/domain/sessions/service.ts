import { randomBytes } from 'node:crypto';
import type { UnitOfWork } from '../ports.js';
import type { SessionRecord } from './ports.js';
import { randomSecret, SESSION_PREFIX, type SecretHasher } from '../../crypto/secrets.js';
import type { User } from '../users/model.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';
import type { Tenant } from '../tenants/model.js';
import type { CredentialThrottle } from '../throttle/credential-throttle.js';
import { signIn, type SignInInput, type SignInResult } from './sign-in.js';

/** Console sessions last one working day; signing in again starts a new one. */
export const SESSION_TTL_MS = 8 * 3600_000;

/** A sign-in this recent proves that the person is at the keyboard now (see freshSsoSignIn). */
export const FRESH_SIGN_IN_MS = 5 * 60_000;

/** How and when the caller's console session began (a session starts at a sign-in and is never extended). */
export interface SignInProof {
  method: 'password' | 'sso';
  at: number;
}

/**
 * Whether the caller signed in through single sign-on within FRESH_SIGN_IN_MS: the provider has
 * just re-checked the person, which a session stolen earlier, or a token, cannot show.
 */
export function freshSsoSignIn(proof: SignInProof | undefined, now = Date.now()): boolean {
  return proof?.method === 'sso' && now - proof.at >= 0 && now - proof.at <= FRESH_SIGN_IN_MS;
}

export interface NewSession {
  /** The cookie value: shown to the browser once, stored only as its hash. */
  secret: string;
  csrfToken: string;
  expiresAt: number;
}

/** How the session began: an SSO session remembers its provider and the ID token sign-out hints with. */
export type SessionOrigin = { method: 'password' } | { method: 'sso'; idpId: string; idTokenSealed: string | null };

export async function createSession(
  store: UnitOfWork<'sessions' | AuditKinds>,
  hasher: Pick<SecretHasher, 'hash'>,
  user: User,
  now = Date.now(),
  origin: SessionOrigin = { method: 'password' },
): Promise<NewSession> {
  const secret = randomSecret(SESSION_PREFIX);
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = now + SESSION_TTL_MS;
  await store.transaction(async (tx) => {
    await tx.sessions.insert({
      idHash: hasher.hash(secret),
      tenantId: user.tenantId,
      userId: user.id,
      csrfToken,
      createdAt: now,
      expiresAt,
      method: origin.method,
      ...(origin.method === 'sso' ? { idpId: origin.idpId, idTokenSealed: origin.idTokenSealed } : {}),
    });
    await recordAudit(tx, {
      tenantId: user.tenantId,
      actorType: 'user',
      actorId: user.id,
      action: 'session.created',
      targetType: 'user',
      targetId: user.id,
      details: origin.method === 'sso' ? { method: 'sso', idpId: origin.idpId } : { method: 'password' },
    });
  });
  return { secret, csrfToken, expiresAt };
}

/** The live session a cookie value names, or undefined (unknown, expired or malformed). */
export async function findSession(
  store: UnitOfWork<'sessions'>,
  hasher: Pick<SecretHasher, 'hash'>,
  secret: string,
): Promise<SessionRecord | undefined> {
  if (!secret.startsWith(SESSION_PREFIX)) return undefined;
  return store.sessions.byHash(hasher.hash(secret), Date.now());
}

export async function endSession(store: UnitOfWork<'sessions' | AuditKinds>, session: SessionRecord): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.sessions.delete(session.idHash);
    await recordAudit(tx, {
      tenantId: session.tenantId,
      actorType: 'user',
      actorId: session.userId,
      action: 'session.ended',
      targetType: 'user',
      targetId: session.userId,
      details: {},
    });
  });
}

/** Console sessions: password sign-in, and the sessions that sign-ins start and sign-outs end. */
export class SessionService {
  constructor(
    private readonly store: UnitOfWork<'sessions' | 'users' | AuditKinds>,
    private readonly hasher: Pick<SecretHasher, 'hash'>,
    /** Failed password sign-ins, per account and address. */
    private readonly passwords: CredentialThrottle,
  ) {}

  /** Checks a password (the console's, or `input.via`); see sign-in.ts. */
  signIn(tenant: Tenant, input: SignInInput): Promise<SignInResult> {
    return signIn(this.store, this.passwords, tenant, input);
  }

  /** The live session a cookie value names, or undefined (what authentication calls for the session cookie). */
  find(secret: string): Promise<SessionRecord | undefined> {
    return findSession(this.store, this.hasher, secret);
  }

  /** The live session with this id hash (an authenticated request's), or undefined. */
  byHash(idHash: string): Promise<SessionRecord | undefined> {
    return this.store.sessions.byHash(idHash, Date.now());
  }

  /** Starts a session for `user`; the one the browser presented (its cookie value), if any, ends without an audit event. */
  async start(user: User, presented: string | undefined, origin?: SessionOrigin): Promise<NewSession> {
    const previous = presented ? await this.find(presented) : undefined;
    if (previous) await this.store.sessions.delete(previous.idHash);
    return createSession(this.store, this.hasher, user, Date.now(), origin);
  }

  end(session: SessionRecord): Promise<void> {
    return endSession(this.store, session);
  }
}

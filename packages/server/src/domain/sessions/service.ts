import { randomBytes } from 'node:crypto';
import type { UnitOfWork } from '../ports.js';

import type { SessionRecord } from './ports.js';
import { randomSecret, SESSION_PREFIX, type SecretHasher } from '../../crypto/secrets.js';
import type { User } from '../users/model.js';
import { recordAudit } from '../audit/record.js';

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

export async function createSession(store: UnitOfWork, hasher: SecretHasher, user: User, now = Date.now(), origin: SessionOrigin = { method: 'password' }): Promise<NewSession> {
  const secret = randomSecret(SESSION_PREFIX);
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = now + SESSION_TTL_MS;
  await store.transaction(async (tx) => {
    await tx.sessions.insert({
      idHash: hasher.hash(secret), tenantId: user.tenantId, userId: user.id, csrfToken, createdAt: now, expiresAt,
      method: origin.method, ...(origin.method === 'sso' ? { idpId: origin.idpId, idTokenSealed: origin.idTokenSealed } : {}),
    });
    await recordAudit(tx, {
      tenantId: user.tenantId, actorType: 'user', actorId: user.id, action: 'session.created',
      targetType: 'user', targetId: user.id, details: origin.method === 'sso' ? { method: 'sso', idpId: origin.idpId } : { method: 'password' },
    });
  });
  return { secret, csrfToken, expiresAt };
}

/** The live session a cookie value names, or undefined (unknown, expired or malformed). */
export async function findSession(store: UnitOfWork, hasher: SecretHasher, secret: string): Promise<SessionRecord | undefined> {
  if (!secret.startsWith(SESSION_PREFIX)) return undefined;
  return store.sessions.byHash(hasher.hash(secret), Date.now());
}

export async function endSession(store: UnitOfWork, session: SessionRecord): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.sessions.delete(session.idHash);
    await recordAudit(tx, {
      tenantId: session.tenantId, actorType: 'user', actorId: session.userId, action: 'session.ended',
      targetType: 'user', targetId: session.userId, details: {},
    });
  });
}

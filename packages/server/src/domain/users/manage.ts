import type { UnitOfWork } from '../ports.js';
import type { Tenant } from '../tenants/model.js';
import type { Principal } from './principal-cache.js';
import { DOMAIN_MANAGER } from '../roles/model.js';
import { rank } from './rank.js';
import type { CredentialThrottle } from '../throttle/credential-throttle.js';
import { signIn } from '../sessions/sign-in.js';
import { conflictError, DomainError, forbiddenError, invalid, notFoundError, throttledError } from '../errors.js';
import { FRESH_SIGN_IN_MS, freshSsoSignIn, type SignInProof } from '../sessions/service.js';
import { updateUser, type Actor, type UserChange, type UserKinds, type UserPatch } from './service.js';

export interface ManagePatch extends UserPatch {
  /** Required when an account changes its own password: a borrowed session must not take the account over. */
  currentPassword?: string;
}

/**
 * A domain manager editing a user. Power never flows upwards: nobody changes, disables or demotes
 * an account with more power than their own. Managers cannot disable themselves or give up their
 * own domain-manager role either: a domain must not lose its last manager by a slip of the hand.
 */
export interface Reauthentication {
  throttle: CredentialThrottle;
  /** The caller's address: guesses at the current password count like failed sign-ins from it. */
  ip: string;
  /** How the caller's console session began; undefined for a token (which proves no recent sign-in). */
  signIn?: SignInProof;
}

/** How the console session `sessionHash` began: the proof of a recent sign-in; undefined once it has ended. */
export async function sessionSignInProof(
  store: UnitOfWork<'sessions'>,
  sessionHash: string,
  now = Date.now(),
): Promise<SignInProof | undefined> {
  const session = await store.sessions.byHash(sessionHash, now);
  return session && { method: session.method ?? 'password', at: session.createdAt };
}

export async function manageUser(
  store: UnitOfWork<UserKinds>,
  tenant: Tenant,
  actor: Principal,
  userId: string,
  patch: ManagePatch,
  reauth: Reauthentication,
  audit: Actor = { type: 'user', id: actor.user.id },
): Promise<UserChange> {
  const { currentPassword, ...change } = patch;
  const self = actor.user.id === userId;
  if (currentPassword !== undefined && !(self && change.password !== undefined)) {
    throw invalid('currentPassword is only for changing your own password');
  }
  if (self) {
    if (change.status === 'disabled') throw conflictError('you cannot disable your own account');
    if (change.roleIds !== undefined) {
      const manager = (await store.roles.list(tenant.id)).find((r) => r.builtin === DOMAIN_MANAGER);
      if (manager && !change.roleIds.includes(manager.id)) {
        throw conflictError(`you cannot remove your own ${manager.name} role`);
      }
    }
    // One with a password proves it knows it. An account without one (SSO) has nothing to prove but
    // the sign-in itself: a session stolen earlier must not turn into lasting password access.
    const stored = change.password !== undefined ? (await store.users.byId(tenant.id, userId))?.passwordHash : null;
    if (change.password !== undefined && !stored && !freshSsoSignIn(reauth.signIn)) {
      throw new DomainError(
        'forbidden',
        `setting a first password needs a fresh sign-in: sign in again through single sign-on, then set the password within ${FRESH_SIGN_IN_MS / 60_000} minutes`,
        undefined,
        'reauthentication_required',
      );
    }
    if (stored) {
      if (currentPassword === undefined) throw invalid('currentPassword is required to change your own password');
      // The sign-in check itself, so guesses are throttled and audited like failed sign-ins.
      const check = await signIn(store, reauth.throttle, tenant, {
        email: actor.user.email,
        password: currentPassword,
        ip: reauth.ip,
      });
      if (!check.ok && check.reason === 'throttled')
        throw throttledError(`too many failed attempts; try again in ${check.retryAfter} seconds`, check.retryAfter);
      if (!check.ok && check.reason === 'sso_enforced')
        throw forbiddenError('this domain enforces single sign-on: passwords are not used');
      if (!check.ok) throw forbiddenError('the current password is wrong');
    }
  } else {
    const target = await store.users.byId(tenant.id, userId);
    if (!target) throw notFoundError(`user ${userId} not found`);
    if (rank(target, await store.roles.forUser(tenant.id, userId)) > rank(actor.user, actor.roles)) {
      const what = target.platformAdmin ? 'a platform administrator' : 'a domain manager';
      throw forbiddenError(
        `${target.email} is ${what} and holds more power than you: only an account with at least as much power may change, disable or demote it`,
      );
    }
  }
  return updateUser(store, tenant, userId, change, audit);
}

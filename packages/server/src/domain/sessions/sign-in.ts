import type { UnitOfWork } from '../ports.js';
import type { Tenant } from '../tenants/model.js';
import { normaliseEmail, type User } from '../users/model.js';
import type { CredentialThrottle } from '../throttle/credential-throttle.js';
import { verifyPassword } from '../../crypto/passwords.js';
import { MAX_LENGTH } from '../limits.js';
import { exemptFromSso } from '../sso/enforce.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';

export interface SignInInput {
  email: string;
  password: string;
  /** The caller's address, throttled alongside the account. */
  ip: string;
  /** Where the password was presented: the console (default) or the token endpoint's password grant. */
  via?: 'console' | 'password_grant';
}

// Each entry point keeps its own audit event name for failures.
const FAILURE_EVENT = { console: 'session.login_failed', password_grant: 'user.sign_in_failed' } as const;

/** Outcomes are data, so the JSON API and the HTML form can word them their own way. */
export type SignInResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid_credentials' | 'disabled' | 'sso_enforced' }
  | { ok: false; reason: 'throttled'; retryAfter: number };

/**
 * Password sign-in, for the console and the password grant. The password is checked before anything else is revealed, so
 * the answer to a wrong password is the same whether the email exists, is disabled or is bound to
 * SSO. When the domain enforces SSO only its break-glass accounts and platform administrators may
 * still use a password (domain/sso/enforce.ts), and each such sign-in is audited.
 */
export async function signIn(
  store: UnitOfWork<'users' | AuditKinds>,
  throttle: CredentialThrottle,
  tenant: Tenant,
  input: SignInInput,
): Promise<SignInResult> {
  // Longer than any account's: refused before the throttle, the store and the audit log see it.
  if (input.email.length > MAX_LENGTH.email || input.password.length > MAX_LENGTH.password)
    return { ok: false, reason: 'invalid_credentials' };
  const email = normaliseEmail(input.email);
  const account = `${tenant.id}:${email}`;
  const retryAfter = await throttle.retryAfter(account, input.ip);
  if (retryAfter > 0) return { ok: false, reason: 'throttled', retryAfter };

  const user = await store.users.byEmail(tenant.id, email);
  // The attempted email is recorded, never the password.
  const failed = async (reason: 'invalid_credentials' | 'disabled' | 'sso_enforced') => {
    await recordAudit(store, {
      tenantId: tenant.id,
      actorType: 'user',
      actorId: user?.id ?? null,
      action: FAILURE_EVENT[input.via ?? 'console'],
      targetType: 'user',
      targetId: user?.id ?? null,
      details: { email, reason, ...(input.via ? { via: input.via, ip: input.ip.slice(0, MAX_LENGTH.address) } : {}) },
    });
    return { ok: false, reason } as const;
  };
  // Unknown emails cost a dummy verification too, so timing does not reveal which exist.
  const valid = await verifyPassword(input.password, user?.passwordHash);
  if (!user || !valid) {
    await throttle.fail(account, input.ip);
    return failed('invalid_credentials');
  }
  await throttle.succeed(account, input.ip);
  if (tenant.ssoEnforced && !exemptFromSso(user, input.via ?? 'console')) return failed('sso_enforced');
  if (user.status !== 'active') return failed('disabled');
  if (tenant.ssoEnforced) {
    await recordAudit(store, {
      tenantId: tenant.id,
      actorType: 'user',
      actorId: user.id,
      action: 'sso.break_glass_sign_in',
      targetType: 'user',
      targetId: user.id,
      details: { email, via: input.via ?? 'console', ip: input.ip.slice(0, MAX_LENGTH.address) },
    });
  }
  return { ok: true, user };
}

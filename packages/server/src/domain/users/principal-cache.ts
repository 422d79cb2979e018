import type { Store } from '../../store/index.js';
import type { User } from './model.js';
import { CLIENT_CREATOR, DOMAIN_MANAGER, type Role } from '../roles/model.js';

/** A user with the permissions their roles give, as tokens and the API need them. */
export interface Principal {
  user: User;
  roles: Role[];
  scopes: string[];
  isManager: boolean;
  isClientCreator: boolean;
}

export function toPrincipal(user: User, roles: Role[]): Principal {
  return {
    user,
    roles,
    scopes: [...new Set(roles.flatMap((r) => r.scopes))].sort(),
    isManager: roles.some((r) => r.builtin === DOMAIN_MANAGER),
    isClientCreator: roles.some((r) => r.builtin === CLIENT_CREATOR),
  };
}

/** Cached user + roles, so personal-client tokens and bearer checks do not hit the store each time. */
export class PrincipalCache {
  private readonly entries = new Map<string, { p: Principal | undefined; at: number }>();

  constructor(private readonly store: Store, private readonly ttlMs = 2000) {}

  async get(tenantId: string, userId: string): Promise<Principal | undefined> {
    const key = tenantId + '\u0000' + userId;
    const hit = this.entries.get(key);
    const now = Date.now();
    if (hit && now - hit.at < this.ttlMs) return hit.p;
    const user = await this.store.users.byId(tenantId, userId);
    const p = user ? toPrincipal(user, await this.store.roles.forUser(tenantId, userId)) : undefined;
    if (this.entries.size > 100_000) this.entries.clear();
    this.entries.set(key, { p, at: now });
    return p;
  }

  invalidate(tenantId: string, userId?: string): void {
    if (userId === undefined) {
      for (const k of this.entries.keys()) if (k.startsWith(tenantId + '\u0000')) this.entries.delete(k);
    } else {
      this.entries.delete(tenantId + '\u0000' + userId);
    }
  }
}

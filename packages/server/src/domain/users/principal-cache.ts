import type { UnitOfWork } from '../ports.js';
import type { User } from './model.js';
import { CLIENT_CREATOR, DOMAIN_MANAGER, type Role } from '../roles/model.js';
import { TtlCache, type ReadThroughStats } from '../../lib/ttl-cache.js';
import type { Announcement } from '../changes.js';

const SEP = '\u0000';

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
  private readonly cache: TtlCache<Principal | undefined>;

  constructor(store: UnitOfWork, ttlMs = 2000) {
    this.cache = new TtlCache(
      async (key) => {
        const [tenantId, userId] = key.split(SEP);
        const user = await store.users.byId(tenantId, userId);
        return user ? toPrincipal(user, await store.roles.forUser(tenantId, userId)) : undefined;
      },
      ttlMs,
      100_000,
      64 * 1024 * 1024,
    );
  }

  get(tenantId: string, userId: string): Promise<Principal | undefined> {
    return this.cache.get(tenantId + SEP + userId);
  }

  onChange(change: Announcement): void {
    if (change.type === 'principal.changed') {
      if (change.userId === undefined) this.cache.deletePrefix(change.tenantId + SEP);
      else this.cache.delete(change.tenantId + SEP + change.userId);
    } else if (change.type === 'changes.missed') {
      this.cache.clear();
    }
  }

  stats(): ReadThroughStats {
    return this.cache.stats();
  }
}

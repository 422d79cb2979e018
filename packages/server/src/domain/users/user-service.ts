import type { UnitOfWork } from '../ports.js';
import type { Tenant } from '../tenants/model.js';
import type { CredentialThrottle } from '../throttle/credential-throttle.js';
import type { Page, PageQuery } from '../paging.js';
import type { UserFilter, UserSort } from './ports.js';
import type { Principal } from './principal-cache.js';
import { getUser, listUsers, type UserWithRoles } from './directory.js';
import { createUser, type Actor, type NewUser, type UserChange, type UserKinds } from './service.js';
import { manageUser, sessionSignInProof, type ManagePatch } from './manage.js';

/** Who asks for a change, as far as proving who they are goes. */
export interface Caller {
  /** The caller's address: guesses at a current password count like failed sign-ins from it. */
  ip: string;
  /** The hash of the console session the request came with; undefined for a token. */
  sessionHash?: string;
}

/** A domain's users as its managers see them: the directory, invitations and changes. */
export class UserService {
  constructor(
    private readonly store: UnitOfWork<UserKinds>,
    /** Failed password sign-ins: guesses at a current password count among them. */
    private readonly passwords: CredentialThrottle,
  ) {}

  list(tenant: Tenant, filter: UserFilter, page: PageQuery<UserSort>): Promise<Page<UserWithRoles>> {
    return listUsers(this.store, tenant, filter, page);
  }

  get(tenant: Tenant, userId: string): Promise<UserWithRoles> {
    return getUser(this.store, tenant, userId);
  }

  /** Creates the user and answers it with its roles. */
  async invite(tenant: Tenant, input: NewUser, actor: Actor): Promise<UserWithRoles> {
    const user = await createUser(this.store, tenant, input, actor);
    return getUser(this.store, tenant, user.id);
  }

  /** `by` changes a user; a password change is checked against how `by` signed in. */
  async manage(
    tenant: Tenant,
    by: Principal,
    userId: string,
    patch: ManagePatch,
    caller: Caller,
    actor: Actor,
  ): Promise<UserChange> {
    const signIn =
      patch.password !== undefined && caller.sessionHash !== undefined
        ? await sessionSignInProof(this.store, caller.sessionHash)
        : undefined;
    return manageUser(
      this.store,
      tenant,
      by,
      userId,
      patch,
      { throttle: this.passwords, ip: caller.ip, signIn },
      actor,
    );
  }
}

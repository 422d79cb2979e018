import { sql, type Selectable, type Updateable } from 'kysely';
import { paginate, type Page, type PageQuery, type SortSpec } from '../paginate.js';
import type { Db } from '../db.js';
import type { ClientsTable } from '../schema.js';
import type { Client, ClientKind, ClientStatus } from '../../domain/clients/model.js';
import type {
  ClientFilter,
  ClientRecords,
  ClientSort,
  ClientUse,
  ClientWithOwner,
  StaleCutoffs,
  StaleSort,
} from '../../domain/clients/ports.js';

export const toClient = (r: Selectable<ClientsTable>): Client => ({
  id: r.id,
  tenantId: r.tenant_id,
  clientId: r.client_id,
  kind: r.kind as ClientKind,
  name: r.name,
  description: r.description,
  ownerUserId: r.owner_user_id,
  secretHash: r.secret_hash,
  secretVersion: r.secret_version,
  previousSecretHash: r.previous_secret_hash,
  previousSecretExpiresAt: r.previous_secret_expires_at,
  grantTypes: JSON.parse(r.grant_types),
  scopes: JSON.parse(r.scopes),
  jwks: r.jwks ? JSON.parse(r.jwks) : null,
  status: r.status as ClientStatus,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  firstUsedAt: r.first_used_at,
  lastUsedAt: r.last_used_at,
  lastUsedAddress: r.last_used_address,
  lastUsedUserAgent: r.last_used_user_agent,
  revokedAt: r.revoked_at,
  revokedBy: r.revoked_by,
});

export class ClientRepo implements ClientRecords {
  constructor(private readonly db: Db) {}

  list(tenantId: string, f: ClientFilter, page: PageQuery<ClientSort>): Promise<Page<ClientWithOwner>> {
    return listClients(this.db, tenantId, f, page);
  }

  /**
   * Personal clients and applications, not revoked, matching ANY of the given conditions (see
   * domain/clients/stale.ts for the rule and the reasons shown).
   */
  async stale(tenantId: string, f: StaleCutoffs, page: PageQuery<StaleSort>): Promise<Page<ClientWithOwner>> {
    let q = this.db
      .selectFrom('clients')
      .leftJoin('users', 'users.id', 'clients.owner_user_id')
      .selectAll('clients')
      .select(['users.email as owner_email', 'users.display_name as owner_display_name'])
      .where('clients.tenant_id', '=', tenantId)
      .where('clients.kind', 'in', f.kind ? [f.kind] : ['personal', 'app'])
      .where('clients.status', '!=', 'revoked');
    q = q.where((eb) =>
      eb.or([
        ...(f.neverUsed ? [eb('clients.last_used_at', 'is', null)] : []),
        ...(f.unusedBefore !== undefined
          ? [eb(eb.fn.coalesce('clients.last_used_at', 'clients.created_at'), '<', f.unusedBefore)]
          : []),
        ...(f.expiringBefore !== undefined
          ? [eb.and([eb('clients.expires_at', '>', f.now), eb('clients.expires_at', '<=', f.expiringBefore)])]
          : []),
      ]),
    );
    return paginate(
      q,
      page,
      STALE_SORTS,
      (r) => ({
        ...toClient(r as Selectable<ClientsTable>),
        ownerEmail: (r as { owner_email: string | null }).owner_email,
        ownerDisplayName: (r as { owner_display_name: string | null }).owner_display_name,
      }),
      'clients.id',
    );
  }

  /** Live applications granted any of the scopes. */
  async withAnyScope(tenantId: string, scopes: string[]): Promise<Client[]> {
    const rows = await this.db
      .selectFrom('clients')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', 'app')
      .where('status', '!=', 'revoked')
      .execute();
    return rows.map(toClient).filter((c) => c.scopes.some((s) => scopes.includes(s)));
  }

  /** Clients that expired since the last sweep; each is returned once (marked as noted). */
  async takeNewlyExpired(now: number): Promise<Client[]> {
    const rows = await this.db
      .selectFrom('clients')
      .selectAll()
      .where('status', '=', 'active')
      .where('expires_at', '<=', now)
      .where('expiry_noted_at', 'is', null)
      .limit(1000)
      .execute();
    const out: Client[] = [];
    for (const r of rows) {
      const u = await this.db
        .updateTable('clients')
        .set({ expiry_noted_at: now })
        .where('id', '=', r.id)
        .where('expiry_noted_at', 'is', null)
        .executeTakeFirst();
      if (Number(u.numUpdatedRows) === 1) out.push(toClient(r));
    }
    return out;
  }

  /**
   * Active personal clients that crossed an expiry-warning threshold (7 or 1 days left) not yet
   * announced, each returned once per threshold with the threshold (compare-and-set, so several
   * processes never announce twice). A threshold already passed when the client was created is
   * skipped (no "7 days left" for a client made to last 3).
   */
  async takeExpiryWarnings(
    now: number,
    thresholdsDays: readonly number[],
  ): Promise<Array<{ client: Client; days: number }>> {
    const DAY = 86_400_000;
    const widest = Math.max(...thresholdsDays);
    const rows = await this.db
      .selectFrom('clients')
      .selectAll()
      .where('kind', '=', 'personal')
      .where('status', '=', 'active')
      .where('expires_at', '>', now)
      .where('expires_at', '<=', now + widest * DAY)
      .limit(1000)
      .execute();
    const out: Array<{ client: Client; days: number }> = [];
    for (const r of rows) {
      const left = r.expires_at! - now;
      const days = Math.min(...thresholdsDays.filter((d) => left <= d * DAY));
      if (r.expiry_warned_days !== null && r.expiry_warned_days <= days) continue;
      const u = await this.db
        .updateTable('clients')
        .set({ expiry_warned_days: days })
        .where('id', '=', r.id)
        .where((w) => w.or([w('expiry_warned_days', 'is', null), w('expiry_warned_days', '>', days)]))
        .executeTakeFirst();
      if (Number(u.numUpdatedRows) === 1 && r.created_at <= r.expires_at! - days * DAY)
        out.push({ client: toClient(r), days });
    }
    return out;
  }

  /** Personal clients of one owner that are not revoked (for name uniqueness and role-loss revocation). */
  async liveOfOwner(tenantId: string, ownerUserId: string): Promise<Client[]> {
    const rows = await this.db
      .selectFrom('clients')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('owner_user_id', '=', ownerUserId)
      .where('status', '!=', 'revoked')
      .execute();
    return rows.map(toClient);
  }

  async update(
    tenantId: string,
    id: string,
    patch: { name?: string; description?: string; scopes?: string[]; grantTypes?: string[]; jwks?: Client['jwks'] },
  ): Promise<void> {
    const values: Updateable<ClientsTable> = { updated_at: Date.now() };
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.description !== undefined) values.description = patch.description;
    if (patch.scopes !== undefined) values.scopes = JSON.stringify(patch.scopes);
    if (patch.grantTypes !== undefined) values.grant_types = JSON.stringify(patch.grantTypes);
    if (patch.jwks !== undefined) values.jwks = patch.jwks ? JSON.stringify(patch.jwks) : null;
    await this.db.updateTable('clients').set(values).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  async insert(c: Client): Promise<void> {
    await this.db
      .insertInto('clients')
      .values({
        id: c.id,
        tenant_id: c.tenantId,
        client_id: c.clientId,
        kind: c.kind,
        name: c.name,
        description: c.description,
        owner_user_id: c.ownerUserId,
        secret_hash: c.secretHash,
        secret_version: c.secretVersion,
        previous_secret_hash: c.previousSecretHash,
        previous_secret_expires_at: c.previousSecretExpiresAt,
        grant_types: JSON.stringify(c.grantTypes),
        scopes: JSON.stringify(c.scopes),
        jwks: c.jwks ? JSON.stringify(c.jwks) : null,
        status: c.status,
        expires_at: c.expiresAt,
        created_at: c.createdAt,
        updated_at: c.updatedAt,
        first_used_at: c.firstUsedAt,
        last_used_at: c.lastUsedAt,
        last_used_address: c.lastUsedAddress,
        last_used_user_agent: c.lastUsedUserAgent,
        revoked_at: c.revokedAt,
        revoked_by: c.revokedBy,
        expiry_noted_at: null,
      })
      .execute();
  }

  async byClientId(tenantId: string, clientId: string): Promise<Client | undefined> {
    const r = await this.db
      .selectFrom('clients')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return r && toClient(r);
  }

  /**
   * The client whose current secret, or whose replaced secret still in its overlap, has this hash, in
   * whichever tenant (a leaked-secret report names none; hashes are keyed by one pepper for the whole
   * server, so they do not collide).
   */
  async bySecretHash(secretHash: string, now = Date.now()): Promise<Client | undefined> {
    const r =
      (await this.db.selectFrom('clients').selectAll().where('secret_hash', '=', secretHash).executeTakeFirst()) ??
      (await this.db
        .selectFrom('clients')
        .selectAll()
        .where('previous_secret_hash', '=', secretHash)
        .where('previous_secret_expires_at', '>', now)
        .executeTakeFirst());
    return r && toClient(r);
  }

  async byId(tenantId: string, id: string): Promise<Client | undefined> {
    const r = await this.db
      .selectFrom('clients')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toClient(r);
  }

  async setStatus(tenantId: string, id: string, status: ClientStatus, revokedBy?: string): Promise<void> {
    const now = Date.now();
    await this.db
      .updateTable('clients')
      .set({
        status,
        updated_at: now,
        ...(status === 'revoked' ? { revoked_at: now, revoked_by: revokedBy ?? null } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  async setSecret(
    tenantId: string,
    id: string,
    secretHash: string,
    previous: { hash: string; expiresAt: number } | null = null,
  ): Promise<number> {
    const r = await this.db
      .updateTable('clients')
      .set((eb) => ({
        secret_hash: secretHash,
        secret_version: eb('secret_version', '+', 1),
        previous_secret_hash: previous?.hash ?? null,
        previous_secret_expires_at: previous?.expiresAt ?? null,
        updated_at: Date.now(),
      }))
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returning('secret_version')
      .executeTakeFirstOrThrow();
    return r.secret_version;
  }

  /** Clients whose replaced secret's overlap is over but not yet ended (see endSecretOverlaps). */
  async withEndedOverlap(now: number): Promise<Client[]> {
    const rows = await this.db
      .selectFrom('clients')
      .selectAll()
      .where('previous_secret_expires_at', '<=', now)
      .limit(1000)
      .execute();
    return rows.map(toClient);
  }

  async clearPreviousSecret(tenantId: string, id: string, expiresAt?: number): Promise<boolean> {
    let q = this.db
      .updateTable('clients')
      .set({ previous_secret_hash: null, previous_secret_expires_at: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('previous_secret_expires_at', 'is not', null);
    if (expiresAt !== undefined) q = q.where('previous_secret_expires_at', '=', expiresAt);
    return Number((await q.executeTakeFirst()).numUpdatedRows) === 1;
  }

  /** Records usage; first_used_at is set once, last_used_at only moves forward. Returns ids used for the first time. */
  async recordUsage(usage: Map<string, ClientUse>): Promise<string[]> {
    const firstUse: string[] = [];
    for (const [id, { at, address, userAgent }] of usage) {
      const r = await this.db
        .updateTable('clients')
        .set({ first_used_at: at })
        .where('id', '=', id)
        .where('first_used_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) firstUse.push(id);
      await this.db
        .updateTable('clients')
        .set({ last_used_at: at, last_used_address: address, last_used_user_agent: userAgent })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    }
    return firstUse;
  }
}

const CLIENT_SORTS = {
  name: { ref: 'clients.name', key: 'name' },
  clientId: { ref: 'clients.client_id', key: 'client_id' },
  owner: { ref: 'users.email', key: 'owner_email' },
  createdAt: { ref: 'clients.created_at', key: 'created_at' },
  expiresAt: { ref: 'clients.expires_at', key: 'expires_at', nullable: true },
  lastUsedAt: { ref: 'clients.last_used_at', key: 'last_used_at', nullable: true },
} as const satisfies Record<Exclude<ClientSort, 'status'>, SortSpec>;

const STALE_SORTS: Record<StaleSort, SortSpec> = {
  createdAt: CLIENT_SORTS.createdAt,
  lastUsedAt: CLIENT_SORTS.lastUsedAt,
  expiresAt: CLIENT_SORTS.expiresAt,
};

/** The status people see, as a number to sort by: active, expired, inactive, revoked. */
const statusRank = (
  now: number,
) => sql<number>`case when ${sql.ref('clients.status')} = 'revoked' then 3 when ${sql.ref('clients.status')} = 'inactive' then 2
  when ${sql.ref('clients.expires_at')} is not null and ${sql.ref('clients.expires_at')} <= ${now} then 1 else 0 end`;

const escapeLike = (s: string) => s.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c);

export async function listClients(
  db: Db,
  tenantId: string,
  f: ClientFilter,
  page: PageQuery<ClientSort>,
  now = Date.now(),
): Promise<Page<ClientWithOwner>> {
  let q = db
    .selectFrom('clients')
    .leftJoin('users', 'users.id', 'clients.owner_user_id')
    .selectAll('clients')
    .select(['users.email as owner_email', 'users.display_name as owner_display_name'])
    .select(statusRank(now).as('status_rank'))
    .where('clients.tenant_id', '=', tenantId)
    .where('clients.kind', '=', f.kind);
  if (f.ownerUserId) q = q.where('clients.owner_user_id', '=', f.ownerUserId);
  if (f.ownerEmail) q = q.where('users.email', '=', f.ownerEmail.toLowerCase());
  if (f.nameContains)
    q = q.where(
      sql<boolean>`lower(${sql.ref('clients.name')}) like ${'%' + escapeLike(f.nameContains) + '%'} escape '\\'`,
    );
  switch (f.status) {
    case undefined:
      q = q.where('clients.status', '!=', 'revoked');
      break;
    case 'active':
      q = q
        .where('clients.status', '=', 'active')
        .where((eb) => eb.or([eb('clients.expires_at', 'is', null), eb('clients.expires_at', '>', now)]));
      break;
    case 'expired':
      q = q.where('clients.status', '=', 'active').where('clients.expires_at', '<=', now);
      break;
    default:
      q = q.where('clients.status', '=', f.status);
  }
  if (f.createdFrom !== undefined) q = q.where('clients.created_at', '>=', f.createdFrom);
  if (f.createdTo !== undefined) q = q.where('clients.created_at', '<', f.createdTo);
  if (f.expiresFrom !== undefined) q = q.where('clients.expires_at', '>=', f.expiresFrom);
  if (f.expiresTo !== undefined) q = q.where('clients.expires_at', '<', f.expiresTo);
  if (f.lastUsedFrom !== undefined) q = q.where('clients.last_used_at', '>=', f.lastUsedFrom);
  if (f.lastUsedTo !== undefined) q = q.where('clients.last_used_at', '<', f.lastUsedTo);
  return paginate(
    q,
    page,
    { ...CLIENT_SORTS, status: { expr: statusRank(now), key: 'status_rank' } },
    (r) => ({
      ...toClient(r as Selectable<ClientsTable>),
      ownerEmail: (r as { owner_email: string | null }).owner_email,
      ownerDisplayName: (r as { owner_display_name: string | null }).owner_display_name,
    }),
    'clients.id',
  );
}

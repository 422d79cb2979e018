import type { Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { ClientsTable } from '../schema.js';
import type { Client, ClientKind, ClientStatus } from '../../domain/clients/model.js';

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
  grantTypes: JSON.parse(r.grant_types),
  scopes: JSON.parse(r.scopes),
  jwks: r.jwks ? JSON.parse(r.jwks) : null,
  status: r.status as ClientStatus,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  firstUsedAt: r.first_used_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
  revokedBy: r.revoked_by,
});

export class ClientRepo {
  constructor(private readonly db: Db) {}

  async insert(c: Client): Promise<void> {
    await this.db.insertInto('clients').values({
      id: c.id,
      tenant_id: c.tenantId,
      client_id: c.clientId,
      kind: c.kind,
      name: c.name,
      description: c.description,
      owner_user_id: c.ownerUserId,
      secret_hash: c.secretHash,
      secret_version: c.secretVersion,
      grant_types: JSON.stringify(c.grantTypes),
      scopes: JSON.stringify(c.scopes),
      jwks: c.jwks ? JSON.stringify(c.jwks) : null,
      status: c.status,
      expires_at: c.expiresAt,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      first_used_at: c.firstUsedAt,
      last_used_at: c.lastUsedAt,
      revoked_at: c.revokedAt,
      revoked_by: c.revokedBy,
    }).execute();
  }

  async byClientId(tenantId: string, clientId: string): Promise<Client | undefined> {
    const r = await this.db.selectFrom('clients').selectAll()
      .where('tenant_id', '=', tenantId).where('client_id', '=', clientId).executeTakeFirst();
    return r && toClient(r);
  }

  async byId(tenantId: string, id: string): Promise<Client | undefined> {
    const r = await this.db.selectFrom('clients').selectAll()
      .where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r && toClient(r);
  }

  async setStatus(tenantId: string, id: string, status: ClientStatus, revokedBy?: string): Promise<void> {
    const now = Date.now();
    await this.db.updateTable('clients').set({
      status,
      updated_at: now,
      ...(status === 'revoked' ? { revoked_at: now, revoked_by: revokedBy ?? null } : {}),
    }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  async setSecret(tenantId: string, id: string, secretHash: string): Promise<number> {
    const r = await this.db.updateTable('clients')
      .set((eb) => ({ secret_hash: secretHash, secret_version: eb('secret_version', '+', 1), updated_at: Date.now() }))
      .where('tenant_id', '=', tenantId).where('id', '=', id)
      .returning('secret_version').executeTakeFirstOrThrow();
    return r.secret_version;
  }

  /** Records usage; first_used_at is set once, last_used_at only moves forward. Returns ids used for the first time. */
  async recordUsage(usage: Map<string, number>): Promise<string[]> {
    const firstUse: string[] = [];
    for (const [id, at] of usage) {
      const r = await this.db.updateTable('clients')
        .set({ first_used_at: at }).where('id', '=', id).where('first_used_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) firstUse.push(id);
      await this.db.updateTable('clients').set({ last_used_at: at }).where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    }
    return firstUse;
  }
}

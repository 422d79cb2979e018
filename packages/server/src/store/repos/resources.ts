import type { Selectable } from 'kysely';
import type { ResourceRecords } from '../../domain/resources/ports.js';
import type { Db } from '../db.js';
import type { ResourcesTable } from '../schema.js';
import type { Resource } from '../../domain/resources/model.js';

const toResource = (r: Selectable<ResourcesTable>): Resource => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  audience: r.audience,
  scopes: JSON.parse(r.scopes),
  scopeDescriptions: JSON.parse(r.scope_descriptions),
  createdAt: r.created_at,
});

export class ResourceRepo implements ResourceRecords {
  constructor(private readonly db: Db) {}

  async insert(r: Resource): Promise<void> {
    await this.db
      .insertInto('resources')
      .values({
        id: r.id,
        tenant_id: r.tenantId,
        name: r.name,
        audience: r.audience,
        scopes: JSON.stringify(r.scopes),
        scope_descriptions: JSON.stringify(r.scopeDescriptions),
        created_at: r.createdAt,
      })
      .execute();
  }

  async update(
    tenantId: string,
    id: string,
    patch: { name?: string; scopes?: string[]; scopeDescriptions?: Record<string, string> },
  ): Promise<void> {
    const values: { name?: string; scopes?: string; scope_descriptions?: string } = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.scopes !== undefined) values.scopes = JSON.stringify(patch.scopes);
    if (patch.scopeDescriptions !== undefined) values.scope_descriptions = JSON.stringify(patch.scopeDescriptions);
    if (Object.keys(values).length === 0) return;
    await this.db.updateTable('resources').set(values).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.db.deleteFrom('resources').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  async list(tenantId: string): Promise<Resource[]> {
    const rows = await this.db
      .selectFrom('resources')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute();
    return rows.map(toResource);
  }
}

import type { Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { ResourcesTable } from '../schema.js';
import type { Resource } from '../../domain/resources/model.js';

const toResource = (r: Selectable<ResourcesTable>): Resource => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  audience: r.audience,
  scopes: JSON.parse(r.scopes),
  createdAt: r.created_at,
});

export class ResourceRepo {
  constructor(private readonly db: Db) {}

  async insert(r: Resource): Promise<void> {
    await this.db.insertInto('resources').values({
      id: r.id,
      tenant_id: r.tenantId,
      name: r.name,
      audience: r.audience,
      scopes: JSON.stringify(r.scopes),
      created_at: r.createdAt,
    }).execute();
  }

  async list(tenantId: string): Promise<Resource[]> {
    const rows = await this.db.selectFrom('resources').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
    return rows.map(toResource);
  }
}

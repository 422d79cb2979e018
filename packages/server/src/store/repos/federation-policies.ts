import { sql, type Selectable } from 'kysely';
import type {
  FederationPolicyFilter,
  FederationPolicyRecords,
  FederationPolicySort,
  FederationPolicyUse,
} from '../../domain/federation/ports.js';
import type { FederationPolicy } from '../../domain/federation/model.js';
import type { FederationPreset } from '../../domain/federation/presets.js';
import type { Db } from '../db.js';
import type { FederationPoliciesTable } from '../schema.js';
import { paginate, type Page, type PageQuery, type SortSpec } from '../paginate.js';

const toPolicy = (r: Selectable<FederationPoliciesTable>): FederationPolicy => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  issuer: r.issuer,
  audience: r.audience,
  conditions: JSON.parse(r.conditions) as Record<string, string>,
  appId: r.app_id,
  appClientId: r.app_client_id,
  scopes: JSON.parse(r.scopes) as string[],
  maxTokenLifetimeSeconds: r.max_token_lifetime_seconds,
  preset: r.preset as FederationPreset | null,
  refuseReplay: !!r.refuse_replay,
  revision: r.revision,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  firstUsedAt: r.first_used_at,
  lastUsedAt: r.last_used_at,
  lastSubject: r.last_subject,
});

// Usage columns are written by recordUsage only, never by replace (a save must not undo a use).
const toRow = (p: FederationPolicy) => ({
  id: p.id,
  tenant_id: p.tenantId,
  name: p.name,
  issuer: p.issuer,
  audience: p.audience,
  conditions: JSON.stringify(p.conditions),
  app_id: p.appId,
  app_client_id: p.appClientId,
  scopes: JSON.stringify(p.scopes),
  max_token_lifetime_seconds: p.maxTokenLifetimeSeconds,
  preset: p.preset,
  refuse_replay: p.refuseReplay ? 1 : 0,
  revision: p.revision,
  created_at: p.createdAt,
  updated_at: p.updatedAt,
});

const SORTS: Record<FederationPolicySort, SortSpec> = {
  name: 'name',
  createdAt: 'created_at',
  lastUsedAt: '?last_used_at',
};

const escapeLike = (s: string) => s.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c);

export class FederationPolicyRepo implements FederationPolicyRecords {
  constructor(private readonly db: Db) {}

  async insert(p: FederationPolicy): Promise<void> {
    await this.db.insertInto('federation_policies').values(toRow(p)).execute();
  }

  async replace(p: FederationPolicy): Promise<void> {
    const { id, tenant_id, created_at, ...rest } = toRow(p);
    await this.db
      .updateTable('federation_policies')
      .set(rest)
      .where('tenant_id', '=', tenant_id)
      .where('id', '=', id)
      .execute();
  }

  async byId(tenantId: string, id: string): Promise<FederationPolicy | undefined> {
    const r = await this.db
      .selectFrom('federation_policies')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toPolicy(r);
  }

  async all(tenantId: string): Promise<FederationPolicy[]> {
    const rows = await this.db
      .selectFrom('federation_policies')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(toPolicy);
  }

  list(
    tenantId: string,
    f: FederationPolicyFilter,
    page: PageQuery<FederationPolicySort>,
  ): Promise<Page<FederationPolicy>> {
    let q = this.db.selectFrom('federation_policies').selectAll().where('tenant_id', '=', tenantId);
    if (f.appId !== undefined) q = q.where('app_id', '=', f.appId);
    if (f.issuer !== undefined) q = q.where('issuer', '=', f.issuer);
    if (f.nameContains !== undefined)
      q = q.where(sql<boolean>`lower(${sql.ref('name')}) like ${'%' + escapeLike(f.nameContains) + '%'} escape '\\'`);
    return paginate(q, page, SORTS, toPolicy);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.db.deleteFrom('federation_policies').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  async recordUsage(uses: Map<string, FederationPolicyUse>): Promise<string[]> {
    const firstUse: string[] = [];
    for (const [id, { tenantId, at, subject }] of uses) {
      const r = await this.db
        .updateTable('federation_policies')
        .set({ first_used_at: at })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('first_used_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) firstUse.push(id);
      await this.db
        .updateTable('federation_policies')
        .set({ last_used_at: at, last_subject: subject })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    }
    return firstUse;
  }
}

import type { UnitOfWork } from '../ports.js';
import type { AuditFilter } from './ports.js';
import type { Page } from '../paging.js';
import type { Tenant } from '../tenants/model.js';
import type { AuditEvent } from './model.js';
import { invalid } from '../errors.js';

// The cursor is the last event id seen, wrapped so callers treat it as opaque.
const encode = (id: number) => Buffer.from(JSON.stringify({ a: id })).toString('base64url');

function decode(cursor: string): number {
  try {
    const id = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')).a;
    if (Number.isSafeInteger(id)) return id;
  } catch {
    /* fall through */
  }
  throw invalid('cursor is not valid');
}

/** The tenant's audit trail, newest first. */
export async function listAudit(
  store: UnitOfWork<'audit'>,
  tenant: Tenant,
  filter: AuditFilter,
  limit: number,
  cursor?: string,
): Promise<Page<AuditEvent>> {
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to)
    throw invalid('from must be before to');
  const rows = await store.audit.list(tenant.id, filter, limit + 1, cursor === undefined ? undefined : decode(cursor));
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encode(items[items.length - 1].id) : null };
}

/** The audit trail as managers read it. */
export class AuditService {
  constructor(private readonly store: UnitOfWork<'audit'>) {}

  list(tenant: Tenant, filter: AuditFilter, limit: number, cursor?: string): Promise<Page<AuditEvent>> {
    return listAudit(this.store, tenant, filter, limit, cursor);
  }
}

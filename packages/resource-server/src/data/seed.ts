// Deterministic sample data per tenant: a pure function of the slug (seeded PRNG, fixed dates), so
// each process generates the same records on first use and no database is needed.
import { AS_OF, REGIONS, SERVICES, USAGE_FROM, USAGE_TO, type ServiceDefinition } from './catalog.js';
import { dateOf, dayOf, isWeekend } from './dates.js';
import type { ServiceEntitlement, ServiceInstance, TenantData, UsageRecord } from './model.js';
import { Random } from './random.js';

const byCode = new Map(SERVICES.map((s) => [s.code, s]));
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function roundQuantity(q: number): number {
  if (q >= 100_000) return Math.round(q / 10_000) * 10_000;
  if (q >= 1_000) return Math.round(q / 100) * 100;
  return Math.round(q);
}

function entitlements(tenant: string): ServiceEntitlement[] {
  const r = new Random(tenant, 'entitlements');
  const count = r.int(5, 8);
  const asOf = dayOf(AS_OF);
  const out: ServiceEntitlement[] = [];
  const taken = new Set<string>();
  while (out.length < count) {
    const svc = r.pick(SERVICES);
    const region = r.pick(REGIONS);
    if (taken.has(`${svc.code}/${region}`)) continue;
    taken.add(`${svc.code}/${region}`);
    const start = r.int(dayOf('2023-01-01'), dayOf('2025-03-31'));
    const end = r.chance(0.3) ? start + r.pick([365, 730]) : null;
    const status = end !== null && end < asOf ? 'expired' : r.chance(0.1) ? 'suspended' : 'active';
    out.push({
      id: r.id('ent'),
      serviceCode: svc.code,
      serviceName: svc.name,
      plan: r.pick(svc.plans),
      status,
      quantity: roundQuantity(r.int(svc.quantity[0], svc.quantity[1])),
      unit: svc.unit,
      region,
      startDate: dateOf(start),
      endDate: end === null ? null : dateOf(end),
    });
  }
  return out.sort(byId);
}

function instances(tenant: string, ents: ServiceEntitlement[]): ServiceInstance[] {
  const asOf = dayOf(AS_OF);
  const out: ServiceInstance[] = [];
  for (const e of ents) {
    const r = new Random(tenant, 'instances', e.id);
    const svc = byCode.get(e.serviceCode)!;
    const n = e.status === 'expired' ? r.int(0, 1) : r.int(1, 4);
    const region = e.region.replace(/^(\w\w)-(\w)\w*-(\d)$/, '$1$2$3'); // eu-west-1 -> euw1
    for (let i = 1; i <= n; i++) {
      const created = r.int(dayOf(e.startDate), asOf - 1);
      const status =
        e.status === 'expired'
          ? 'terminated'
          : created >= asOf - 3
            ? 'provisioning'
            : r.chance(0.15)
              ? 'stopped'
              : 'running';
      const time = `${String(r.int(0, 23)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}`;
      out.push({
        id: r.id('ins'),
        entitlementId: e.id,
        serviceCode: e.serviceCode,
        name: `${svc.prefix}-${r.pick(['prod', 'prod', 'staging', 'dev'])}-${region}-${String(i).padStart(2, '0')}`,
        region: e.region,
        size: r.pick(svc.sizes),
        status,
        createdAt: `${dateOf(created)}T${time}.000Z`,
      });
    }
  }
  return out.sort(byId);
}

interface Meter {
  instance: ServiceInstance;
  svc: ServiceDefinition;
  from: number;
  to: number;
  bases: number[];
}

/** Daily usage per instance and metric, with a weekly rhythm, slow growth and noise. */
function usage(tenant: string, ents: ServiceEntitlement[], insts: ServiceInstance[]): UsageRecord[] {
  const from = dayOf(USAGE_FROM);
  const to = dayOf(USAGE_TO);
  const entById = new Map(ents.map((e) => [e.id, e]));
  const meters: Meter[] = [];
  for (const instance of insts) {
    if (instance.status === 'provisioning') continue;
    const ent = entById.get(instance.entitlementId)!;
    const svc = byCode.get(instance.serviceCode)!;
    const r = new Random(tenant, 'meter', instance.id);
    let last = ent.endDate ? Math.min(to, dayOf(ent.endDate)) : to;
    if (instance.status === 'stopped') last = r.int(Math.max(from, dayOf(instance.createdAt.slice(0, 10))), last);
    const bases = svc.metrics.map((m) => m.daily[0] + (m.daily[1] - m.daily[0]) * r.next() ** 2);
    meters.push({ instance, svc, from: Math.max(from, dayOf(instance.createdAt.slice(0, 10))), to: last, bases });
  }
  const out: UsageRecord[] = [];
  for (let d = from; d <= to; d++) {
    const date = dateOf(d);
    const compact = date.replaceAll('-', '');
    for (const m of meters) {
      if (d < m.from || d > m.to) continue;
      m.svc.metrics.forEach((def, i) => {
        let q = def.daily[0];
        if (def.daily[0] !== def.daily[1]) {
          const noise = new Random(tenant, m.instance.id, def.metric, d).next();
          // Traffic-driven metrics swing day to day; capacity-like ones (storage, hours) drift slowly.
          const jitter = def.weekly ? 0.85 + 0.3 * noise : 0.97 + 0.06 * noise;
          q = m.bases[i] * (def.weekly && isWeekend(d) ? 0.65 : 1) * (1 + 0.0015 * (d - from)) * jitter;
        }
        out.push({
          id: `usg_${compact}_${m.instance.id.slice(4)}_${i}`,
          date,
          serviceCode: m.svc.code,
          instanceId: m.instance.id,
          metric: def.metric,
          quantity: def.integer ? Math.round(q) : Math.round(q * 100) / 100,
          unit: def.unit,
        });
      });
    }
  }
  return out;
}

export function generateTenantData(tenant: string): TenantData {
  const ents = entitlements(tenant);
  const insts = instances(tenant, ents);
  return { tenant, entitlements: ents, instances: insts, usage: usage(tenant, ents, insts) };
}

// JSON schemas of the records (they document the API and make serialisation fast).
export const tenantParams = {
  type: 'object',
  properties: { tenant: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$' } },
  required: ['tenant'],
} as const;

const str = { type: 'string' } as const;

export const entitlementSchema = {
  type: 'object',
  properties: {
    id: str,
    serviceCode: str,
    serviceName: str,
    plan: str,
    status: { type: 'string', enum: ['active', 'suspended', 'expired'] },
    quantity: { type: 'number' },
    unit: str,
    region: str,
    startDate: str,
    endDate: { type: ['string', 'null'] },
  },
} as const;

export const instanceSchema = {
  type: 'object',
  properties: {
    id: str,
    entitlementId: str,
    serviceCode: str,
    name: str,
    region: str,
    size: str,
    status: { type: 'string', enum: ['running', 'stopped', 'provisioning', 'terminated'] },
    createdAt: str,
  },
} as const;

export const usageSchema = {
  type: 'object',
  properties: {
    id: str,
    date: str,
    serviceCode: str,
    instanceId: str,
    metric: str,
    quantity: { type: 'number' },
    unit: str,
  },
} as const;

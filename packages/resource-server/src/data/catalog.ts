// The services a tenant can hold and what each one meters. Usage covers a fixed window so that the
// data, and tests against it, never depend on today's date.

export interface MetricDefinition {
  metric: string;
  unit: string;
  /** Typical daily quantity per instance: [low, high]. */
  daily: [number, number];
  /** Whole units (requests, messages) rather than fractional ones (GB, hours). */
  integer?: boolean;
  /** Lower on Saturdays and Sundays (traffic-driven). */
  weekly?: boolean;
}

export interface ServiceDefinition {
  code: string;
  name: string;
  plans: string[];
  sizes: string[];
  /** Prefix of instance names, e.g. `vm` → `vm-prod-euw1-03`. */
  prefix: string;
  /** What the entitlement's quantity counts, and its range. */
  unit: string;
  quantity: [number, number];
  metrics: MetricDefinition[];
}

export const USAGE_FROM = '2025-01-01';
export const USAGE_TO = '2025-06-30';
/** "Today" for the sample data: entitlements ended before it are expired. */
export const AS_OF = USAGE_TO;

export const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-1'];

export const SERVICES: ServiceDefinition[] = [
  {
    code: 'compute',
    name: 'Virtual Machines',
    plans: ['Standard', 'Premium'],
    sizes: ['vm.small', 'vm.medium', 'vm.large', 'vm.xlarge'],
    prefix: 'vm',
    unit: 'vCPU',
    quantity: [8, 256],
    metrics: [{ metric: 'vcpu-hours', unit: 'vCPU-hour', daily: [24, 384] }],
  },
  {
    code: 'object-storage',
    name: 'Object Storage',
    plans: ['Standard', 'Infrequent Access'],
    sizes: ['bucket'],
    prefix: 'bucket',
    unit: 'TB',
    quantity: [1, 100],
    metrics: [
      { metric: 'storage-gb-days', unit: 'GB-day', daily: [50, 20_000] },
      { metric: 'egress-gb', unit: 'GB', daily: [1, 400], weekly: true },
    ],
  },
  {
    code: 'managed-postgres',
    name: 'Managed PostgreSQL',
    plans: ['Developer', 'Business', 'Enterprise'],
    sizes: ['db.small', 'db.medium', 'db.large'],
    prefix: 'pg',
    unit: 'instances',
    quantity: [1, 12],
    metrics: [
      { metric: 'instance-hours', unit: 'hour', daily: [24, 24], integer: true },
      { metric: 'storage-gb-days', unit: 'GB-day', daily: [20, 2_000] },
    ],
  },
  {
    code: 'kubernetes',
    name: 'Kubernetes Engine',
    plans: ['Standard', 'Autopilot'],
    sizes: ['cluster'],
    prefix: 'k8s',
    unit: 'nodes',
    quantity: [3, 60],
    metrics: [{ metric: 'node-hours', unit: 'node-hour', daily: [72, 960] }],
  },
  {
    code: 'cdn',
    name: 'Content Delivery',
    plans: ['Standard', 'Premium'],
    sizes: ['distribution'],
    prefix: 'cdn',
    unit: 'TB/month',
    quantity: [1, 50],
    metrics: [
      { metric: 'requests', unit: 'request', daily: [50_000, 8_000_000], integer: true, weekly: true },
      { metric: 'egress-gb', unit: 'GB', daily: [5, 900], weekly: true },
    ],
  },
  {
    code: 'dns',
    name: 'Managed DNS',
    plans: ['Standard'],
    sizes: ['zone'],
    prefix: 'zone',
    unit: 'zones',
    quantity: [1, 40],
    metrics: [{ metric: 'queries', unit: 'query', daily: [10_000, 2_000_000], integer: true, weekly: true }],
  },
  {
    code: 'backup',
    name: 'Backup & Restore',
    plans: ['Standard', 'Vault'],
    sizes: ['policy'],
    prefix: 'bkp',
    unit: 'TB',
    quantity: [1, 200],
    metrics: [{ metric: 'protected-gb-days', unit: 'GB-day', daily: [100, 50_000] }],
  },
  {
    code: 'email-relay',
    name: 'Transactional Email',
    plans: ['Starter', 'Growth', 'Scale'],
    sizes: ['sender'],
    prefix: 'mail',
    unit: 'messages/month',
    quantity: [10_000, 5_000_000],
    metrics: [{ metric: 'messages', unit: 'message', daily: [100, 150_000], integer: true, weekly: true }],
  },
];

export const SERVICE_CODES = SERVICES.map((s) => s.code);

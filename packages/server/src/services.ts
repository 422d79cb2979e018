import type { Config } from './config.js';
import type { Store } from './store/index.js';
import { Sealer } from './crypto/master-key.js';
import { SecretHasher } from './crypto/secrets.js';
import { TenantCache } from './domain/tenants/cache.js';
import { KeyService } from './domain/keys/service.js';
import { ClientCache } from './domain/clients/cache.js';
import { PrincipalCache } from './domain/users/principal-cache.js';
import { UsageTracker } from './domain/clients/usage.js';
import { CredentialThrottle, type Throttles } from './domain/throttle/credential-throttle.js';
import { MemoryThrottleStore } from './domain/throttle/memory-store.js';
import { SharedThrottleStore } from './domain/throttle/shared-store.js';
import type { ThrottleStore } from './domain/throttle/store.js';
import { PgThrottleBackend } from './store/throttle-pg.js';
import { RedisThrottleBackend } from './store/throttle-redis.js';
import { CLIENT_THROTTLE, GITLAB_TOKEN_THROTTLE, PASSWORD_THROTTLE, SSO_THROTTLE } from './domain/throttle/policies.js';
import { ResourceCache } from './domain/resources/cache.js';
import { GroupCommit } from './store/group-commit.js';
import { RevokedAccessTokens } from './domain/tokens/revocations.js';
import type { Tenant } from './domain/tenants/model.js';
import { fileClock, systemClock, type Clock } from './lib/clock.js';
import { Metrics } from './metrics.js';
import { ProviderConfigs } from './domain/sso/discovery.js';
import { OutboundGuard } from './lib/outbound-guard.js';
import type { ReplayRecords } from './domain/tokens/ports.js';
import { AuditService } from './domain/audit/query.js';
import { SettingsService } from './domain/tenants/settings.js';
import { RoleService } from './domain/roles/service.js';
import { ResourceService } from './domain/resources/service.js';
import { StaleCredentialService } from './domain/clients/stale.js';
import { UserService } from './domain/users/user-service.js';
import { AppService } from './domain/clients/app-service.js';
import { PersonalClientService } from './domain/clients/personal.js';
import { WebhookService } from './domain/webhooks/endpoints.js';
import { IdentityProviderService } from './domain/sso/providers.js';
import { SsoLoginService } from './domain/sso/login.js';
import { SessionService } from './domain/sessions/service.js';
import { PlatformTenantService } from './domain/tenants/platform-tenants.js';
import { LeakReportService } from './domain/secret-scanning/report-leak.js';
import { HostDirectory } from './domain/tenants/host-directory.js';
import { TenantUrls } from './domain/tenants/urls.js';
import { FederationPolicyService } from './domain/federation/policies.js';
import { FederationPolicyCache } from './domain/federation/cache.js';
import { FederationUsage } from './domain/federation/usage.js';
import { IssuerKeys } from './domain/federation/issuer-keys.js';

/**
 * The composition root's services: built once per process by `buildServices`, then each HTTP
 * plugin, worker and scheduler is handed only the ones it uses (app.ts, server.ts). Nothing below
 * the root imports this module.
 */
export interface Services {
  config: Config;
  store: Store;
  sealer: Sealer;
  hasher: SecretHasher;
  tenants: TenantCache;
  keys: KeyService;
  clients: ClientCache;
  principals: PrincipalCache;
  usage: UsageTracker;
  /** Failed password and client-secret attempts, SSO starts: shared by every process (Redis or PostgreSQL), in memory on SQLite. */
  throttle: Throttles;
  resources: ResourceCache;
  /** Batches the refresh-token rotations that arrive together into one transaction. */
  rotations: GroupCommit;
  /** Revoked access-token ids, in memory (announced revocations count at once; the store is read back as a backstop, see revocations.ts). */
  revokedTokens: RevokedAccessTokens;
  /** The schedulers' time (expiry warnings, outbox retries); movable by tests in test mode only. */
  clock: Clock;
  /** Prometheus metrics of this process (GET /metrics). */
  metrics: Metrics;
  /** Discovered configurations of the tenants' identity providers. */
  ssoConfigs: ProviderConfigs;
  /** The HTTP client for URLs that managers choose (webhooks, identity providers): public addresses only unless allowed. */
  outbound: OutboundGuard;
  /** The path-form issuer, `PUBLIC_URL/t/{slug}` (a request through a tenant host issues under the host's: http/site.ts). */
  issuer(tenant: Tenant | string): string;
  /** Every issuer the tenant's tokens may carry: its path form and each of its hosts'. */
  issuers(tenant: Tenant): readonly string[];
  /** Which tenant each host name serves (assigned hosts and LATCHKEY_TENANT_HOST_SUFFIX), from memory. */
  hosts: HostDirectory;
  /** The URLs each tenant answers at. */
  urls: TenantUrls;
  /** Client assertions' jtis, each usable once. */
  replay: Pick<ReplayRecords, 'useAssertion'>;
  // The use-cases the routes call, each given only the records and collaborators it uses.
  audit: AuditService;
  settings: SettingsService;
  roles: RoleService;
  /** Named apart from `resources` (the cache the token endpoint reads). */
  resourceService: ResourceService;
  staleCredentials: StaleCredentialService;
  users: UserService;
  apps: AppService;
  personalClients: PersonalClientService;
  webhooks: WebhookService;
  identityProviders: IdentityProviderService;
  ssoLogins: SsoLoginService;
  sessions: SessionService;
  platformTenants: PlatformTenantService;
  leakReports: LeakReportService;
  /** Workload identity federation: the policies (managed), their cache (read by the token endpoint), the external issuers' keys, batched usage. */
  federationPolicies: FederationPolicyService;
  federationCache: FederationPolicyCache;
  issuerKeys: IssuerKeys;
  federationUsage: FederationUsage;
}

/** N processes must not allow N times the guesses: the count lives where all of them see it. */
function throttleStoreFor(config: Config, store: Store): ThrottleStore {
  if (config.redisUrl) {
    let warnedAt = 0;
    return new SharedThrottleStore(
      new RedisThrottleBackend(config.redisUrl, (err) => {
        if (Date.now() - warnedAt < 10_000) return;
        warnedAt = Date.now();
        console.warn(`Redis at REDIS_URL is unreachable, credential checks fail until it is back: ${err.message}`);
      }),
    );
  }
  if (store.dialect === 'postgres') return new SharedThrottleStore(new PgThrottleBackend(store.db));
  return new MemoryThrottleStore();
}

export function buildServices(config: Config, store: Store, masterKey: Buffer): Services {
  const sealer = new Sealer(masterKey);
  store.outboxSettings.email = Boolean(config.smtpUrl);
  const throttleStore = throttleStoreFor(config, store);
  const tenants = new TenantCache(store);
  const keys = new KeyService(store, sealer, config.keyRotationSeconds * 1000);
  const clients = new ClientCache(store);
  const principals = new PrincipalCache(store);
  const resources = new ResourceCache(store);
  const revokedTokens = new RevokedAccessTokens(store);
  const outbound = new OutboundGuard({ allowPrivate: config.allowPrivateOutbound });
  const ssoConfigs = new ProviderConfigs(sealer, outbound);
  const hosts = new HostDirectory(store, config.tenantHostSuffix, (err) =>
    console.warn(`could not read the tenants' host names, retrying: ${(err as Error).message}`),
  );
  const urls = new TenantUrls(config.publicUrl, hosts);
  const federationCache = new FederationPolicyCache(store);
  // What each process keeps in memory learns of committed changes here, its own and other processes'.
  for (const subscriber of [
    tenants,
    keys,
    clients,
    principals,
    resources,
    revokedTokens,
    ssoConfigs,
    hosts,
    federationCache,
  ]) {
    store.feed.subscribe((change) => subscriber.onChange(change));
  }
  const metrics = new Metrics({ tenants, clients, principals, resources });
  store.feed.observe(metrics);
  const passwordThrottle = new CredentialThrottle(throttleStore, PASSWORD_THROTTLE);
  const ssoThrottle = new CredentialThrottle(throttleStore, SSO_THROTTLE);
  const hasher = new SecretHasher(sealer.pepper);
  const usage = new UsageTracker(store, () => metrics.usageFlushFailed());
  const issuer = (t: Tenant | string) => urls.pathIssuer(typeof t === 'string' ? t : t.slug);
  const issuers = (t: Tenant) => urls.issuers(t.slug);
  const apps = new AppService(store, hasher, { keys, resources, issuer });
  const personalClients = new PersonalClientService(store, hasher);
  const webhooks = new WebhookService(store, sealer);
  const identityProviders = new IdentityProviderService(store, sealer, outbound);
  const ssoLogins = new SsoLoginService({
    store,
    sealer,
    throttle: ssoThrottle,
    configs: ssoConfigs,
  });
  const sessions = new SessionService(store, hasher, passwordThrottle);
  const platformTenants = new PlatformTenantService(store, {
    publicHost: new URL(config.publicUrl).hostname,
    suffix: config.tenantHostSuffix,
  });
  const leakReports = new LeakReportService({
    store,
    hasher,
    keys,
    revokedTokens,
    issuers,
    tenantOfIssuer: (iss) => urls.slugOfIssuer(iss),
  });
  const issuerKeys = new IssuerKeys(outbound);
  return {
    config,
    store,
    sealer,
    hasher,
    tenants,
    keys,
    clients,
    principals,
    usage,
    throttle: {
      passwords: passwordThrottle,
      clients: new CredentialThrottle(throttleStore, CLIENT_THROTTLE),
      sso: ssoThrottle,
      gitlab: new CredentialThrottle(throttleStore, GITLAB_TOKEN_THROTTLE),
      store: throttleStore,
    },
    resources,
    rotations: new GroupCommit(store),
    revokedTokens,
    clock: config.testClockFile ? fileClock(config.testClockFile) : systemClock,
    metrics,
    ssoConfigs,
    outbound,
    issuer,
    issuers,
    hosts,
    urls,
    replay: store.replay,
    audit: new AuditService(store),
    settings: new SettingsService(store),
    roles: new RoleService(store),
    resourceService: new ResourceService(store),
    staleCredentials: new StaleCredentialService(store),
    users: new UserService(store, passwordThrottle),
    apps,
    personalClients,
    webhooks,
    identityProviders,
    ssoLogins,
    sessions,
    platformTenants,
    leakReports,
    federationPolicies: new FederationPolicyService(store, { issuer, issuerCheck: issuerKeys }),
    federationCache,
    issuerKeys,
    federationUsage: new FederationUsage(store, () => metrics.usageFlushFailed()),
  };
}

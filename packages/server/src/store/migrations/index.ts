import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_client_expiry_notice.js';
import * as m0003 from './0003_revocation_time.js';
import * as m0004 from './0004_signing_key_activation.js';
import * as m0005 from './0005_grant_safety.js';
import * as m0006 from './0006_audit_actor_client.js';
import * as m0008 from './0008_signing_key_token_lifetime.js';
import * as m0010 from './0010_throttle_entries.js';
import * as m0011 from './0011_scope_descriptions.js';
import * as m0012 from './0012_sso.js';
import * as m0013 from './0013_client_last_use.js';
import * as m0014 from './0014_webhooks.js';
import * as m0015 from './0015_secret_scanning.js';
import * as m0016 from './0016_management_scopes.js';
import * as m0017 from './0017_sso_browser_binding.js';
import * as m0018 from './0018_audit_retention.js';
import * as m0019 from './0019_audit_action_names.js';
import * as m0020 from './0020_tenant_hosts.js';
import * as m0021 from './0021_federation_policies.js';
import * as m0022 from './0022_client_secret_overlap.js';

// Versioned migrations, applied in name order on start. Add a file, then list it here.
const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_client_expiry_notice': m0002,
  '0003_revocation_time': m0003,
  '0004_signing_key_activation': m0004,
  '0005_grant_safety': m0005,
  '0006_audit_actor_client': m0006,
  '0008_signing_key_token_lifetime': m0008,
  '0010_throttle_entries': m0010,
  '0011_scope_descriptions': m0011,
  '0012_sso': m0012,
  '0013_client_last_use': m0013,
  '0014_webhooks': m0014,
  '0015_secret_scanning': m0015,
  '0016_management_scopes': m0016,
  '0017_sso_browser_binding': m0017,
  '0018_audit_retention': m0018,
  '0019_audit_action_names': m0019,
  '0020_tenant_hosts': m0020,
  '0021_federation_policies': m0021,
  '0022_client_secret_overlap': m0022,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};

// @latchkey/sdk: the Latchkey client, its errors, and the pieces to build your own token storage.
export { Latchkey, type LatchkeyOptions } from './client.js';
export {
  LatchkeyError,
  LatchkeyConfigError,
  LatchkeyAuthError,
  LatchkeyApiError,
  LatchkeyNetworkError,
  LatchkeyTokenStoreError,
  type LatchkeyErrorCode,
} from './errors.js';
export {
  resolveSettings,
  defaultConfigPath,
  readConfigFile,
  updateConfigFile,
  ProfileTokenStore,
  DEFAULT_BASE_URL,
  DEFAULT_TENANT,
  DEFAULT_API_URL,
  type Credentials,
  type RefreshTokenCredentials,
  type Profile,
  type ConfigFile,
  type SettingsInput,
  type ResolvedSettings,
  type ResolvedCredentials,
  type Env,
} from './config.js';
export { locateTenant, tenantEndpoints, type TenantLocation } from './tenant-url.js';
export type { CredentialFields } from './credentials/fields.js';
export type { PasswordCredentials } from './credentials/password.js';
export type { ClientCredentials } from './credentials/client-credentials.js';
export type { JwtAssertionCredentials } from './credentials/jwt-assertion.js';
export {
  readTokFile,
  writeTokFile,
  TokenFileStore,
  type TokFile,
  type TokenFileCredentials,
} from './credentials/token-file.js';
export { MemoryTokenStore, SDK_CLIENT_ID, type TokenStore, type StoredTokens } from './credentials/refresh-token.js';
export type { CredentialKind, RefreshPersistedEvent } from './credentials/types.js';
export { writeFileAtomic } from './lib/atomic-write.js';
export { parseOverlap, MAX_OVERLAP_SECONDS } from './lib/overlap.js';
export type { FetchLike } from './lib/http.js';
export type { TokenResponse, Introspection } from './lib/token-endpoint.js';
export * from './api/management.js';
export { SampleApi, type JsonObject } from './api/sample.js';
export type { Page, ListQuery, RequestOptions, QueryValue, Requester } from './api/types.js';
export type { Wording } from './wording.js';

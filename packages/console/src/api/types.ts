import type { paths } from './schema';
// Shapes of the API, read from the generated OpenAPI types (never written by hand).
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: { content: { 'application/json': infer B } } }
    ? B
    : R extends { 201: { content: { 'application/json': infer B } } }
      ? B
      : never
  : never;
export type Me = Ok<'/t/{tenant}/api/v1/me', 'get'>;
export type Session = Ok<'/t/{tenant}/api/v1/session', 'get'>;
export type OwnClientPage = Ok<'/t/{tenant}/api/v1/me/oauth2-clients', 'get'>;
export type OwnClient = OwnClientPage['items'][number];
export type CreatedClient = Ok<'/t/{tenant}/api/v1/me/oauth2-clients', 'post'>;
export type RotatedClient = Ok<'/t/{tenant}/api/v1/me/oauth2-clients/{id}/rotate', 'post'>;
export type ManagedRotatedClient = Ok<'/t/{tenant}/api/v1/oauth2-clients/{id}/rotate', 'post'>;
export type ManagedClientPage = Ok<'/t/{tenant}/api/v1/oauth2-clients', 'get'>;
export type ManagedClient = ManagedClientPage['items'][number];
export type UserPage = Ok<'/t/{tenant}/api/v1/users', 'get'>;
export type User = UserPage['items'][number];
export type Role = Ok<'/t/{tenant}/api/v1/roles', 'get'>['items'][number];
export type AuditPage = Ok<'/t/{tenant}/api/v1/audit', 'get'>;
export type AuditEvent = AuditPage['items'][number];
export type OwnClientQuery = NonNullable<paths['/t/{tenant}/api/v1/me/oauth2-clients']['get']['parameters']['query']>;
export type ManagedClientQuery = NonNullable<paths['/t/{tenant}/api/v1/oauth2-clients']['get']['parameters']['query']>;
export type UserQuery = NonNullable<paths['/t/{tenant}/api/v1/users']['get']['parameters']['query']>;
export type AuditQuery = NonNullable<paths['/t/{tenant}/api/v1/audit']['get']['parameters']['query']>;
export type AppPage = Ok<'/t/{tenant}/api/v1/apps', 'get'>;
export type App = AppPage['items'][number];
export type AppQuery = NonNullable<paths['/t/{tenant}/api/v1/apps']['get']['parameters']['query']>;
export type NewApp = paths['/t/{tenant}/api/v1/apps']['post']['requestBody']['content']['application/json'];
export type AppPatch = paths['/t/{tenant}/api/v1/apps/{id}']['patch']['requestBody']['content']['application/json'];
export type CreatedApp = Ok<'/t/{tenant}/api/v1/apps', 'post'>;
export type TokFile = Ok<'/t/{tenant}/api/v1/apps/{id}/tokens', 'post'>;
export type Settings = Ok<'/t/{tenant}/api/v1/settings', 'get'>;
export type Resource = Ok<'/t/{tenant}/api/v1/resources', 'get'>['items'][number];
export type SigningKey = Ok<'/t/{tenant}/api/v1/signing-keys', 'get'>['items'][number];
export type Tenant = Ok<'/platform/api/v1/tenants', 'get'>['items'][number];
export type IdentityProviderList = Ok<'/t/{tenant}/api/v1/identity-providers', 'get'>;
export type IdentityProvider = IdentityProviderList['items'][number];
export type NewIdentityProvider =
  paths['/t/{tenant}/api/v1/identity-providers']['post']['requestBody']['content']['application/json'];
export type IdentityProviderPatch = NonNullable<
  paths['/t/{tenant}/api/v1/identity-providers/{id}']['patch']['requestBody']
>['content']['application/json'];
export type SignInOptions = Ok<'/t/{tenant}/api/v1/sign-in-options', 'get'>;
export type GrantableScope = Ok<'/t/{tenant}/api/v1/scopes', 'get'>['items'][number];
export type WebhookPage = Ok<'/t/{tenant}/api/v1/webhooks', 'get'>;
export type Webhook = WebhookPage['items'][number];
export type CreatedWebhook = Ok<'/t/{tenant}/api/v1/webhooks', 'post'>;
export type NewWebhook = paths['/t/{tenant}/api/v1/webhooks']['post']['requestBody']['content']['application/json'];
export type WebhookEventType = Ok<'/t/{tenant}/api/v1/webhooks/event-types', 'get'>['items'][number];
export type DeliveryPage = Ok<'/t/{tenant}/api/v1/webhooks/{id}/deliveries', 'get'>;
export type Delivery = DeliveryPage['items'][number];
export type DeliveryQuery = NonNullable<
  paths['/t/{tenant}/api/v1/webhooks/{id}/deliveries']['get']['parameters']['query']
>;

// TEMPORARY, until the server (branch h21sso) has the single sign-on routes: their shapes from
// /work/wt/notes/sso-contract.md, merged into the generated `paths`. Delete this file when the
// generated schema has them (a duplicate then fails the type check, which is the reminder).
import type {} from './schema';

type Json<T> = { content: { 'application/json': T } };
type Problem = Json<{ type: string; title: string; status: number; detail?: string }>;
type Tenant = { parameters: { path: { tenant: string } } };
type Idp = {
  id: string; name: string; issuer: string; clientId: string; allowedEmailDomains: string[]; jitProvisioning: boolean; enabled: boolean;
  endSessionSupported: boolean; createdAt: string; updatedAt: string;
};
type IdpInput = { name: string; issuer: string; clientId: string; clientSecret: string; allowedEmailDomains: string[]; jitProvisioning?: boolean; enabled?: boolean };

export type TenantSso = { ssoEnforced: boolean; breakGlassAccounts: string[] };

declare module './schema' {
  interface paths {
    '/t/{tenant}/api/v1/identity-providers': {
      parameters: { query?: never; header?: never; path: { tenant: string }; cookie?: never };
      get: Tenant & { requestBody?: never; responses: { 200: Json<{ items: Idp[]; redirectUri: string }>; 401: Problem; 403: Problem } };
      post: Tenant & { requestBody: Json<IdpInput>; responses: { 201: Json<Idp>; 400: Problem; 401: Problem; 403: Problem } };
    };
    '/t/{tenant}/api/v1/identity-providers/{id}': {
      parameters: { query?: never; header?: never; path: { tenant: string; id: string }; cookie?: never };
      patch: { parameters: { path: { tenant: string; id: string } }; requestBody?: Json<Partial<IdpInput>>; responses: { 200: Json<Idp>; 400: Problem; 404: Problem; 409: Problem } };
      delete: { parameters: { path: { tenant: string; id: string } }; requestBody?: never; responses: { 204: { content?: never }; 404: Problem; 409: Problem } };
    };
    '/t/{tenant}/api/v1/sign-in-options': {
      parameters: { query?: never; header?: never; path: { tenant: string }; cookie?: never };
      get: Tenant & { requestBody?: never; responses: { 200: Json<{ passwordSignIn: boolean; ssoEnforced: boolean; providers: { id: string; name: string; loginUrl: string }[] }> } };
    };
  }
}

// What the console shows under a new personal client's secret: ready to paste as they are. The SDK
// snippet is plain JavaScript (no TypeScript `!`), so it runs saved as a .mjs file and compiles in a
// .ts one; the secret comes from the environment, never from the file.

export interface SnippetTarget {
  origin: string;
  tenant: string;
  /** At a tenant host the origin is the tenant's URL: no tenant is named, and endpoints are at its root. */
  tenantHost?: boolean;
  clientId: string;
  clientSecret: string;
}

export function cliSnippet({ origin, tenant, tenantHost, clientId, clientSecret }: SnippetTarget): string {
  return [
    `export LATCHKEY_URL=${origin}`,
    ...(tenantHost ? [] : [`export LATCHKEY_TENANT=${tenant}`]),
    `export LATCHKEY_CLIENT_ID=${clientId}`,
    `export LATCHKEY_CLIENT_SECRET=${clientSecret}`,
    'npx latchkey token get',
  ].join('\n');
}

export function sdkSnippet({ origin, tenant, tenantHost, clientId }: SnippetTarget): string {
  return [
    "import { Latchkey } from '@latchkey/sdk';",
    '',
    '// The secret from the environment: export LATCHKEY_CLIENT_SECRET=…',
    'const lk = new Latchkey({',
    `  baseUrl: '${origin}',`,
    ...(tenantHost ? [] : [`  tenant: '${tenant}',`]),
    `  credentials: { clientId: '${clientId}', clientSecret: process.env.LATCHKEY_CLIENT_SECRET ?? '' },`,
    '});',
    'const token = await lk.getAccessToken();',
    'console.log((await lk.me()).email);',
  ].join('\n');
}

export function curlSnippet({ origin, tenant, tenantHost, clientId, clientSecret }: SnippetTarget): string {
  return [
    `curl -s ${origin}${tenantHost ? '' : `/t/${tenant}`}/oauth2/v1/token \\`,
    `  -u '${clientId}:${clientSecret}' \\`,
    '  -d grant_type=client_credentials',
  ].join('\n');
}

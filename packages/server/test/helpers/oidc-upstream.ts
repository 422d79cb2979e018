import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import './quiet-oidc-provider.js';
import Provider from 'oidc-provider';

/**
 * An upstream OpenID Connect provider nobody here wrote: `oidc-provider` from npm, on 127.0.0.1 and a
 * free port, with one confidential client for Latchkey (client_secret_basic, PKCE required).
 *
 * Signing in (devInteractions, the provider's built-in pages):
 * - the authorization request lands on `/interaction/{uid}`: a login form posting `prompt=login`,
 *   `login` and `password` to `/interaction/{uid}`. Type the account's EMAIL as `login`; any password
 *   is accepted. Then a consent form (`prompt=consent`, button "Continue") posts to the same URL.
 * - to get `error=access_denied` back at the redirect URI, follow the page's "[ Cancel ]" link
 *   (`/interaction/{uid}/abort`) instead of submitting a form, on the login or the consent page.
 * A login that is not one of `accounts` has no account: the provider shows its login form again.
 */
export interface UpstreamAccount {
  email: string;
  /** The `email_verified` claim (default true). */
  emailVerified?: boolean;
  /** The `name` claim (scope profile), when given. */
  name?: string;
}

export interface UpstreamProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The oidc-provider instance, for tests that need to look inside. */
  provider: Provider;
  close(): Promise<void>;
}

export async function startUpstreamProvider(opts: {
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  accounts: UpstreamAccount[];
  /**
   * Advertise this `end_session_endpoint` in the discovery document instead of the provider's own
   * (its RP-initiated logout is then off), as a broken or hostile provider would.
   */
  endSessionEndpoint?: string;
}): Promise<UpstreamProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'latchkey';
  const clientSecret = randomBytes(24).toString('base64url');
  const accounts = new Map(opts.accounts.map((a) => [a.email.toLowerCase(), a]));

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris,
        post_logout_redirect_uris: opts.postLogoutRedirectUris ?? [],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // Every client must use PKCE (S256 is the only method oidc-provider allows by default).
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Email claims in the ID token itself, as most providers do for scope=email.
    conformIdTokenClaims: false,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: opts.endSessionEndpoint === undefined },
    },
    // Fills only what the provider leaves out of its discovery document.
    ...(opts.endSessionEndpoint !== undefined ? { discovery: { end_session_endpoint: opts.endSessionEndpoint } } : {}),
    async findAccount(_ctx, id) {
      const account = accounts.get(id.toLowerCase());
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: `upstream-${account.email.toLowerCase()}`,
            email: account.email,
            email_verified: account.emailVerified ?? true,
            ...(account.name !== undefined ? { name: account.name } : {}),
          };
        },
      };
    },
  });
  server.on('request', provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    provider,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

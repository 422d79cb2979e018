import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

/**
 * A CI system's OpenID Connect issuer, as GitHub Actions, GitLab CI or a Kubernetes cluster run one:
 * on 127.0.0.1 and a free port, it serves its discovery document and its JWKS, and signs RS256 ID
 * tokens with its own private key (nothing here is mocked: Latchkey fetches both over HTTP and
 * verifies real signatures). It can rotate its keys, and counts the JWKS fetches.
 */
export interface CiIssuer {
  issuer: string;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  /** Signs a token: `iss`, `iat`, `nbf`, `exp` (five minutes) and `jti` are filled unless given. */
  sign(
    claims: JWTPayload,
    opts?: { kid?: string; alg?: string; lifetimeSeconds?: number; at?: number },
  ): Promise<string>;
  /** Replaces the published key by a new one (the old one is no longer published, nor used). */
  rotate(): Promise<void>;
  /** A key that is never published: tokens it signs name an unknown kid. */
  signWithUnpublishedKey(claims: JWTPayload): Promise<string>;
  /** The current public key (to sign HS256 with it, as an attacker would). */
  publicJwk(): JWK;
  close(): Promise<void>;
}

interface Key {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export async function startCiIssuer(): Promise<CiIssuer> {
  let key = await newKey();
  let fetches = 0;
  const server = http.createServer((req, res) => {
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration') {
      // The shape of GitHub's: an issuer of ID tokens only, no authorization or token endpoint.
      return send({
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'repository', 'repository_id'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid'],
      });
    }
    if (req.url === '/.well-known/jwks') {
      fetches++;
      return send({ keys: [key.jwk] });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signWith = (k: Key, claims: JWTPayload, opts: { alg?: string; lifetimeSeconds?: number; at?: number } = {}) => {
    const at = opts.at ?? Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: randomUUID(), nbf: at, ...claims })
      .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: k.kid, typ: 'JWT' })
      .setIssuer(typeof claims.iss === 'string' ? claims.iss : issuer)
      .setIssuedAt(at)
      .setExpirationTime(at + (opts.lifetimeSeconds ?? 300))
      .sign(k.privateKey);
  };

  return {
    issuer,
    jwksFetches: () => fetches,
    sign: (claims, opts) => signWith(key, claims, opts),
    rotate: async () => {
      key = await newKey();
    },
    signWithUnpublishedKey: async (claims) => signWith(await newKey(), claims),
    publicJwk: () => key.jwk,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The claims GitHub Actions puts in a job's token (from GitHub's documentation), for one repository and ref. */
export function githubClaims(over: Record<string, unknown> = {}): JWTPayload {
  const ref = (over.ref as string | undefined) ?? 'refs/heads/main';
  return {
    sub: `repo:octo-org/octo-repo:ref:${ref}`,
    aud: 'https://github.com/octo-org',
    ref,
    sha: 'example-sha',
    repository: 'octo-org/octo-repo',
    repository_owner: 'octo-org',
    actor_id: '12',
    repository_visibility: 'private',
    repository_id: '74',
    repository_owner_id: '65',
    run_id: 'example-run-id',
    run_number: '10',
    run_attempt: '2',
    runner_environment: 'github-hosted',
    actor: 'octocat',
    workflow: 'example-workflow',
    head_ref: '',
    base_ref: '',
    event_name: 'workflow_dispatch',
    ref_type: 'branch',
    job_workflow_ref: `octo-org/octo-automation/.github/workflows/oidc.yml@${ref}`,
    workflow_ref: `octo-org/octo-repo/.github/workflows/deploy.yml@${ref}`,
    ...over,
  };
}

/** The claims of a GitLab CI job's ID token (from GitLab's documentation). */
export function gitlabClaims(over: Record<string, unknown> = {}): JWTPayload {
  return {
    namespace_id: '72',
    namespace_path: 'my-group',
    project_id: '20',
    project_path: 'my-group/my-project',
    user_id: '1',
    user_login: 'sample-user',
    user_email: 'sample-user@example.com',
    pipeline_id: '574',
    pipeline_source: 'push',
    job_id: '302',
    ref: 'main',
    ref_type: 'branch',
    ref_path: 'refs/heads/main',
    ref_protected: 'true',
    environment: 'production',
    environment_protected: 'true',
    runner_id: 1,
    runner_environment: 'self-hosted',
    sha: '714a629c0b401fdce83e847fc9589983fc6f46bc',
    project_visibility: 'public',
    ci_config_ref_uri: 'gitlab.example.com/my-group/my-project//.gitlab-ci.yml@refs/heads/main',
    ci_config_sha: '714a629c0b401fdce83e847fc9589983fc6f46bc',
    sub: 'project_path:my-group/my-project:ref_type:branch:ref:main',
    aud: 'https://gitlab.com',
    ...over,
  };
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { CredentialThrottle } from '../../domain/throttle/credential-throttle.js';
import { GitHubKeyCache, signatureValid } from '../../domain/secret-scanning/github-keys.js';
import type { LeakReport, LeakReportService } from '../../domain/secret-scanning/report-leak.js';
import { Problem, badRequest, conflict, tooManyRequests, unauthorized } from '../problem.js';

/** A batch larger than this is refused with 413, more tokens than MAX_TOKENS with 400. */
export const MAX_REPORT_BYTES = 256 * 1024;
export const MAX_TOKENS = 100;
const MAX_TOKEN_LENGTH = 32 * 1024;
const MAX_FIELD_LENGTH = 2048;
/** A signed report accepted once is refused as a replay for this long. */
const REPLAY_WINDOW_MS = 30 * 86_400_000;

/** What GitLab's revocation API lists and accepts (gitleaks rule ids of Latchkey's secret formats). */
export const GITLAB_TOKEN_TYPES = [
  'gitleaks_rule_id_latchkey_client_secret',
  'gitleaks_rule_id_latchkey_refresh_token',
  'gitleaks_rule_id_latchkey_access_token',
  'gitleaks_rule_id_latchkey_token_file',
] as const;

interface Finding {
  token: string;
  type: string;
  url: string | null;
  source: string | null;
}

const str = (v: unknown, max: number) => (typeof v === 'string' && v.length <= max ? v : undefined);

/** The reported tokens, checked item by item; anything malformed refuses the whole batch. */
function parseFindings(body: unknown, fields: { url: string; source?: string }): Finding[] {
  if (!Array.isArray(body) || body.length === 0)
    throw badRequest('the body must be a non-empty JSON array of reported tokens');
  if (body.length > MAX_TOKENS) throw badRequest(`at most ${MAX_TOKENS} tokens per report, got ${body.length}`);
  return body.map((item, i) => {
    const o = (item ?? {}) as Record<string, unknown>;
    const token = str(o.token, MAX_TOKEN_LENGTH);
    const type = str(o.type, 256);
    if (typeof item !== 'object' || !token || !type)
      throw badRequest(`item ${i} needs a token (at most ${MAX_TOKEN_LENGTH} characters) and a type`);
    const url = o[fields.url] === undefined || o[fields.url] === null ? null : str(o[fields.url], MAX_FIELD_LENGTH);
    const source = !fields.source || o[fields.source] === undefined ? null : str(o[fields.source], 256);
    if (url === undefined || source === undefined)
      throw badRequest(`item ${i}: ${fields.url}${fields.source ? ' and ' + fields.source : ''} must be strings`);
    return { token, type, url, source };
  });
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('the body is not valid JSON');
  }
}

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/**
 * Leaked-secret reports from scanners, outside any tenant (a leaked secret finds its own):
 * GitHub's secret-scanning partner format (ECDSA-signed batches, feedback labels in the answer)
 * and GitLab's token-revocation API (a pre-shared token). The raw body is kept: the signature is
 * over its bytes.
 */
export interface SecretScanningRouteDeps {
  leakReports: LeakReportService;
  config: Pick<Config, 'secretScanning'>;
  /** Wrong GitLab revocation tokens, per address (GITLAB_TOKEN_THROTTLE). */
  throttle: { gitlab: CredentialThrottle };
}

export async function secretScanningRoutes(
  app: FastifyInstance,
  { leakReports, config, throttle: throttles }: SecretScanningRouteDeps,
): Promise<void> {
  const conf = config.secretScanning;
  // One warning per failed fetch of the key URL, and fetches happen at most once per interval:
  // reports arriving while it is down do not each log one.
  const keys = new GitHubKeyCache(
    conf.githubKeysUrl,
    conf.githubKeysMinRefreshSeconds * 1000,
    undefined,
    undefined,
    (err) => app.log.warn({ err: err.message }, 'secret scanning: GitHub key URL unreachable'),
  );
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_REPORT_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.post('/github', { bodyLimit: MAX_REPORT_BYTES, schema: { hide: true } }, async (req, reply) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const keyId = header(req, 'github-public-key-identifier');
    const signature = header(req, 'github-public-key-signature');
    if (!keyId || !signature)
      throw unauthorized(
        'Github-Public-Key-Identifier and Github-Public-Key-Signature are required',
        'signature_invalid',
      );
    let key;
    try {
      key = await keys.key(keyId);
    } catch {
      throw new Problem('keys_unavailable', 'the signing keys could not be fetched; try again later');
    }
    if (!key) throw unauthorized('unknown Github-Public-Key-Identifier', 'signature_invalid');
    if (!signatureValid(key, raw, signature))
      throw unauthorized('the signature does not match the body', 'signature_invalid');
    const findings = parseFindings(parseJson(raw), { url: 'url', source: 'source' });
    const digest = createHash('sha256').update(raw).digest('base64url');
    const now = Date.now();
    if (await leakReports.seen(digest, now))
      throw conflict('this report was already received (replay); nothing was changed');
    const answer = [];
    for (const f of findings) {
      const label = await leakReports.report(f.token, { reporter: 'github', url: f.url, source: f.source });
      // The token's hash, never the token: the answer repeats nothing secret.
      answer.push({ token_hash: createHash('sha256').update(f.token).digest('hex'), token_type: f.type, label });
    }
    // Recorded once handled: a report that failed part-way (the database away) is handled in full
    // when sent again, and handling twice changes nothing (a revoked credential is reported dead).
    await leakReports.received(digest, 'github', now, now + REPLAY_WINDOW_MS);
    return reply.header('cache-control', 'no-store').send(answer);
  });

  // Wrong tokens are counted per address (GITLAB_TOKEN_THROTTLE); an address the token came from is spared.
  const throttle = throttles.gitlab;
  const gitlabAuth = async (req: FastifyRequest) => {
    if (!conf.gitlabToken) throw new Problem('no_route', `no route for ${req.method} ${req.url.split('?')[0]}`);
    const retryAfter = await throttle.retryAfter('gitlab', req.ip);
    if (retryAfter > 0)
      throw tooManyRequests(
        `too many wrong revocation tokens from this address; try again in ${retryAfter} seconds`,
        retryAfter,
      );
    const presented = (header(req, 'authorization') ?? '').replace(/^Bearer\s+/i, '');
    const a = createHash('sha256').update(presented).digest();
    const b = createHash('sha256').update(conf.gitlabToken).digest();
    if (!presented || !timingSafeEqual(a, b)) {
      await throttle.fail('gitlab', req.ip);
      throw unauthorized('the Authorization header must carry the revocation token', 'token_invalid');
    }
    await throttle.succeed('gitlab', req.ip);
  };

  app.get('/gitlab/revocable_token_types', { onRequest: gitlabAuth, schema: { hide: true } }, async () => ({
    types: [...GITLAB_TOKEN_TYPES],
  }));

  app.post(
    '/gitlab/revoke_tokens',
    { onRequest: gitlabAuth, bodyLimit: MAX_REPORT_BYTES, schema: { hide: true } },
    async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const findings = parseFindings(parseJson(raw), { url: 'location' });
      const unknown = findings.find((f) => !(GITLAB_TOKEN_TYPES as readonly string[]).includes(f.type));
      if (unknown)
        throw badRequest(`unknown token type "${unknown.type.slice(0, 100)}"; GET revocable_token_types lists them`);
      const report = (f: Finding): LeakReport => ({ reporter: 'gitlab', url: f.url, source: null });
      for (const f of findings) await leakReports.report(f.token, report(f));
      return reply.code(204).send();
    },
  );
}

import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { actorOf, requireManager } from '../auth.js';
import { Nullable, Timestamp, errors, iso } from '../schemas.js';
import type { SigningKeyRecord } from '../../domain/keys/model.js';
import type { KeyService } from '../../domain/keys/service.js';

const SigningKey = Type.Object({
  kid: Type.String(),
  status: Type.Union([Type.Literal('next'), Type.Literal('active'), Type.Literal('retired')], {
    description:
      'next: published, signs from the next rotation on; active: signs new tokens; retired: published until its tokens have expired',
  }),
  createdAt: Timestamp,
  activatedAt: Nullable(Timestamp),
  retiredAt: Nullable(Timestamp),
  unpublishedAt: Nullable({ ...Timestamp, description: 'when a retired key leaves the JWKS' }),
  publicJwk: Type.Record(Type.String(), Type.Unknown()),
});
const view = (k: Omit<SigningKeyRecord, 'privateKeyEnc'>) => ({
  kid: k.kid,
  status: k.status,
  createdAt: iso(k.createdAt),
  activatedAt: k.status === 'next' ? null : iso(k.activatedAt ?? k.createdAt),
  retiredAt: k.retiredAt === null ? null : iso(k.retiredAt),
  unpublishedAt: k.expiresAt === null ? null : iso(k.expiresAt),
  publicJwk: k.publicJwk,
});

const RotateRequest = Type.Object(
  {
    compromised: Type.Optional(
      Type.Boolean({
        description:
          'true after a suspected leak of a signing key: every key of the tenant (active, next and retired) leaves ' +
          'the JWKS and stops verifying here at once, a freshly generated key signs, and tokens signed before are refused ' +
          '(clients get new ones; refresh tokens are not affected). Offline verifiers refuse them once they re-read the JWKS. ' +
          'Default false: the previous key stays published until its tokens have expired.',
      }),
    ),
  },
  { additionalProperties: false },
);

export interface SigningKeyRouteDeps {
  keys: KeyService;
}

/** The domain's token-signing keys: what the JWKS publishes, and rotation on demand. */
export async function signingKeyRoutes(app: FastifyInstance, deps: SigningKeyRouteDeps): Promise<void> {
  app.get(
    '/signing-keys',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags: ['signing keys'],
        summary: 'The published signing keys, newest first',
        response: { 200: Type.Object({ items: Type.Array(SigningKey) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ items: (await deps.keys.list(request.tenant)).map(view) }),
  );

  app.post<{ Body: Static<typeof RotateRequest> }>(
    '/signing-keys/rotate',
    {
      config: { scope: 'latchkey:settings' },
      onRequest: requireManager,
      // The body is optional: no body is a planned rotation.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags: ['signing keys'],
        summary:
          'Rotate now: the next key signs from now on; the previous one stays published until its tokens expire, ' +
          'or, with compromised: true, every key stops verifying at once',
        body: RotateRequest,
        response: { 200: Type.Object({ kid: Type.String(), items: Type.Array(SigningKey) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const reason = request.body.compromised ? 'compromised' : 'manual';
      const kid = await deps.keys.rotate(request.tenant, reason, actorOf(request));
      return { kid, items: (await deps.keys.list(request.tenant)).map(view) };
    },
  );
}

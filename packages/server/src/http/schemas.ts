import { Type, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox';
import type { Role } from '../domain/roles/model.js';
import type { User } from '../domain/users/model.js';
import { PROBLEM_CODES, type ProblemCode } from './problem.js';
import { MAX_LENGTH } from '../domain/limits.js';

// Schemas shared by several route files, and the views that turn domain objects into API JSON.
// Response schemas also filter what is sent: a field missing here (a password hash) never leaves.

export const Nullable = <T extends TSchema>(s: T, options?: SchemaOptions) => Type.Union([s, Type.Null()], options);
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601' });
export const iso = (ms: number) => new Date(ms).toISOString();

/** A secret rotation's request body: how long the replaced secret keeps working. */
export const RotateSecret = Type.Object(
  {
    overlapSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 86_400,
        default: 0,
        description:
          'how long the replaced secret keeps working, in seconds (0 to 86400, i.e. 24 h); 0 (the default): it stops at once. Tokens it obtained end with it.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** When the secret a rotation replaced stops working: null outside an overlap. */
export const PreviousSecretExpiresAt = Nullable(Timestamp, {
  description:
    'while a rotation overlap lasts: when the replaced secret (and the tokens it obtained) stop working; null otherwise',
});

/** The overlap's end as shown: null once it is over (the sweep may not have forgotten it yet). */
export const previousSecretView = (c: { previousSecretExpiresAt: number | null }, now = Date.now()) =>
  c.previousSecretExpiresAt !== null && c.previousSecretExpiresAt > now ? iso(c.previousSecretExpiresAt) : null;

/** When and from where a client was last used (its token requests; recorded in batches, so a few seconds late). */
export const LastUse = {
  lastUsedAt: Nullable(Timestamp),
  lastUsedAddress: Nullable(
    Type.String({
      description: 'the address of the last token request (behind a trusted proxy: the forwarded client address)',
    }),
  ),
  lastUsedUserAgent: Nullable(
    Type.String({ description: 'the user agent of the last token request, cut to 256 characters' }),
  ),
};
export const lastUseView = (c: {
  lastUsedAt: number | null;
  lastUsedAddress: string | null;
  lastUsedUserAgent: string | null;
}) => ({
  lastUsedAt: c.lastUsedAt === null ? null : iso(c.lastUsedAt),
  lastUsedAddress: c.lastUsedAddress,
  lastUsedUserAgent: c.lastUsedUserAgent,
});

/**
 * The RFC 9457 problem document, one shared schema (app.ts adds it): every error response refers to
 * it, so the OpenAPI document lists the codes once, as `components.schemas.Problem`.
 */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'https://latchkey.dev/problems/ and the code in kebab-case' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'for people; may change: branch on code' }),
    code: Type.Unsafe<ProblemCode>({
      type: 'string',
      enum: PROBLEM_CODES,
      description: 'stable: branch on it (the API description lists what each code means)',
    }),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem document' },
);

/** An error response: a reference to the shared problem schema, typed as the document it describes. */
const Problem = Type.Unsafe<Static<typeof ProblemSchema>>({
  $ref: 'Problem#',
  description: 'RFC 9457 problem document',
});

/** Documents the error statuses a route answers with. */
export function errors(...statuses: number[]): Record<number, typeof Problem> {
  return Object.fromEntries(statuses.map((s) => [s, Problem]));
}

/** A scope name in a request: as long as the one scope rule allows (domain/tokens/scope.ts checks the characters, with a readable message). */
export const ScopeName = Type.String({ minLength: 1, maxLength: MAX_LENGTH.scope });

export const IdParams = Type.Object({ tenant: Type.String(), id: Type.String({ maxLength: 100 }) });

export const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });
export const Cursor = Type.String({ maxLength: 1000, description: 'opaque; nextCursor of the previous page' });
export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const RoleRef = Type.Object({ id: Type.String(), name: Type.String(), builtin: Nullable(Type.String()) });
export const roleRef = (r: Role) => ({ id: r.id, name: r.name, builtin: r.builtin });

export const RoleView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  builtin: Nullable(Type.String({ description: 'domain-manager or oauth2-client-creator; null for custom roles' })),
  description: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Timestamp,
});
export const roleView = (r: Role) => ({
  ...roleRef(r),
  description: r.description,
  scopes: r.scopes,
  createdAt: iso(r.createdAt),
});

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  platformAdmin: Type.Boolean(),
  hasPassword: Type.Boolean(),
  roles: Type.Array(RoleRef),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const userView = (u: User, roles: Role[]) => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  status: u.status,
  platformAdmin: u.platformAdmin,
  hasPassword: u.passwordHash !== null,
  roles: roles.map(roleRef),
  createdAt: iso(u.createdAt),
  updatedAt: iso(u.updatedAt),
});

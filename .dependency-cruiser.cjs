/**
 * The layers (README, "Architecture"): `http` and `oauth` parse, authorise and serialise; `domain`
 * holds the use-cases; `store` persists and decides nothing; a composition root (app, services,
 * server, main, workers) wires them. `npm run lint:layers` checks these rules; the test command runs
 * it, and any violation fails it.
 */
const SERVER = '^packages/server/src/';
const ROOT = `${SERVER}(app|services|server|main|workers|maintenance|metrics|config|bootstrap)\\.ts$`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A circle of imports (types included) crashes or not by load order: none in any package.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        "An import that resolves to nothing would slip past every other rule. The console's API types " +
        '(api/schema.d.ts) are generated from the OpenAPI document by its typecheck, so a fresh clone has none yet.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^\\.{1,2}/(\\.\\./)*(api/)?schema$' },
    },
    {
      name: 'domain-not-to-transport',
      comment: 'The domain knows nothing of HTTP or OAuth endpoints.',
      severity: 'error',
      from: { path: `${SERVER}domain/` },
      to: { path: `${SERVER}(http|oauth|delivery)/` },
    },
    {
      name: 'domain-only-through-ports',
      comment: 'The domain declares the small interfaces it needs; it never sees the store, Kysely or a driver.',
      severity: 'error',
      from: { path: `${SERVER}domain/` },
      to: { path: [`${SERVER}store/`, '^node_modules/(kysely|pg|better-sqlite3|ioredis)/'] },
    },
    {
      name: 'store-not-to-domain-logic',
      comment: "The store implements the ports: it may use the domain's types and constants, not its use-cases.",
      severity: 'error',
      from: { path: `${SERVER}store/` },
      to: {
        path: `${SERVER}domain/`,
        pathNot: '/(model|changes|errors|limits)\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'store-not-to-transport',
      severity: 'error',
      from: { path: `${SERVER}store/` },
      to: { path: `${SERVER}(http|oauth|delivery)/` },
    },
    {
      name: 'nothing-imports-the-root',
      comment: 'Only the composition root wires the process together; nothing below imports it.',
      severity: 'error',
      from: { path: SERVER, pathNot: ROOT },
      to: { path: ROOT, pathNot: `${SERVER}(config|metrics)\\.ts$` },
    },
    {
      name: 'lib-is-a-leaf',
      comment: 'lib/ and crypto/ are helpers: they import no layer of the server.',
      severity: 'error',
      from: { path: `${SERVER}(lib|crypto)/` },
      to: { path: `${SERVER}(domain|store|http|oauth|delivery)/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
  },
};

// oidc-provider says on the console, at import and at first use, that it runs with its development
// defaults (in-memory storage, generated keys, its own login pages) on an unsupported Node.js: all
// of which the upstream stand-in of the tests wants. Those lines only bury the test output, so its
// own notices are dropped; anything else still reaches the console. Import this before oidc-provider.
const OWN_NOTICE = /^(?:\x1b\[[\d;]*m)?oidc-provider (?:WARNING|NOTICE): /;

for (const method of ['warn', 'info'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && OWN_NOTICE.test(args[0])) return;
    original(...args);
  };
}

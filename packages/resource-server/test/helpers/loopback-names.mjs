// Preloaded by tests only into the programs they start (NODE_OPTIONS=--import=<this file>: the sample
// API process, the console's SDK and CLI snippets): every fetch to a host name ending in
// LATCHKEY_TEST_LOOPBACK_SUFFIX (e.g. `.id.test`) connects to 127.0.0.1, the name kept in the URL and
// the Host header, so the program reaches a tenant's own host name on the test server without a DNS
// entry. The same mapping as the SDK tests' loopbackFetch.
import dns from 'node:dns';
import { Agent, fetch as undiciFetch } from 'undici';

const suffix = process.env.LATCHKEY_TEST_LOOPBACK_SUFFIX;
if (suffix) {
  const lookup = (hostname, options, callback) => {
    if (!hostname.endsWith(suffix)) return dns.lookup(hostname, options, callback);
    if (options.all) return callback(null, [{ address: '127.0.0.1', family: 4 }]);
    callback(null, '127.0.0.1', 4);
  };
  const dispatcher = new Agent({ connect: { lookup } });
  globalThis.fetch = (input, init) => undiciFetch(input, { ...init, dispatcher });
}

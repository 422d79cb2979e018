import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import type { FetchLike } from '../../src/index.js';

/**
 * A fetch that reaches every host name ending in `suffix` (e.g. `.id.test`) on 127.0.0.1, keeping the
 * name in the URL and the Host header: how a test talks to a tenant's own host name on loopback
 * without a DNS entry. Node's fetch cannot set Host; undici's Agent lets the name resolve here.
 */
export function loopbackFetch(suffix: string): FetchLike {
  const lookup: LookupFunction = (hostname, options, callback) => {
    if (!hostname.endsWith(suffix)) return dns.lookup(hostname, options, callback);
    if (options.all)
      return (callback as (e: null, a: dns.LookupAddress[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    callback(null, '127.0.0.1', 4);
  };
  const dispatcher = new Agent({ connect: { lookup } });
  return (input, init) =>
    undiciFetch(input as string, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
}

import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';

/**
 * Outbound requests to URLs that tenant managers choose (webhook endpoints, identity providers'
 * discovery documents and the endpoints they name): which addresses they may reach, and what a
 * failure may say about them.
 *
 * Unless private outbound traffic is allowed (LATCHKEY_ALLOW_PRIVATE_OUTBOUND), only public
 * addresses are reached: never loopback, private, shared (CGNAT), link-local, unique-local,
 * multicast or reserved ones, so a manager cannot make the server call its own network (cloud
 * metadata, databases, admin ports). The check is made when a connection opens, on the addresses
 * the name resolved to for that very connection, so a name that resolves to a public address when
 * saved and to a private one later (DNS rebinding) is refused too. Failures are reported only as a
 * coarse class, so the delivery log and error messages cannot map ports and services.
 */

const BLOCKED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(net, bits, 'ipv4');
// ::/96 holds the unspecified and loopback addresses and the old IPv4-compatible form; ::ffff:0:0:0/96
// the IPv4-translated one.
for (const [net, bits] of [
  ['::', 96],
  ['::ffff:0:0:0', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(net, bits, 'ipv6');

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIpv4(ip: string): string | undefined {
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = parseInt(m[2], 16);
  const lo = parseInt(m[3], 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Whether an IP address is public (reachable on the internet, not this host's or its network's). */
export function isPublicAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').toLowerCase();
  const family = isIP(ip);
  if (family === 4) return !BLOCKED.check(ip, 'ipv4');
  if (family !== 6) return false;
  const v4 = embeddedIpv4(ip);
  if (v4) return !BLOCKED.check(v4, 'ipv4');
  return !BLOCKED.check(ip, 'ipv6');
}

/**
 * A host that is loopback by its very form: 127.0.0.0/8, [::1] or `localhost`. Plain http is
 * acceptable to these only (nothing crosses a network). `*.localhost` names are not: they are
 * resolved like any other name, and may point anywhere.
 */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}

/** The one rule for URLs that a provider or a manager supplies: https, or plain http to a loopback host. */
export function isHttpsOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/** Thrown (as the cause of a failed fetch) when a connection would reach an address that is not allowed. */
export class OutboundRefused extends Error {
  readonly code = 'ERR_OUTBOUND_ADDRESS_NOT_ALLOWED';
  constructor(host: string) {
    super(`${host} is not a public address`);
  }
}

export type OutboundFailure = 'address not allowed' | 'timeout' | 'TLS error' | 'connection failed';

/** The coarse class of a failed outbound request; never the error's own message, address or port. */
export function outboundFailure(err: unknown): OutboundFailure {
  const chain: Array<{ name?: string; code?: string; message?: string }> = [];
  for (
    let e = err as { cause?: unknown } | undefined, depth = 0;
    e && typeof e === 'object' && depth < 5;
    e = e.cause as typeof e, depth++
  )
    chain.push(e as never);
  if (chain.some((e) => e instanceof OutboundRefused)) return 'address not allowed';
  if (chain.some((e) => e.name === 'TimeoutError' || e.name === 'AbortError' || /TIMEOUT|ETIMEDOUT/.test(e.code ?? '')))
    return 'timeout';
  if (
    chain.some(
      (e) =>
        /^ERR_(TLS|SSL)_|CERT|SSL|EPROTO/.test(e.code ?? '') || /certificate|SSL routines|TLS/i.test(e.message ?? ''),
    )
  )
    return 'TLS error';
  return 'connection failed';
}

export interface OutboundRequest {
  method?: string;
  headers?: Record<string, string> | Headers;
  body?: string | ArrayBuffer | Uint8Array | URLSearchParams | ReadableStream | null;
  redirect?: 'manual' | 'error' | 'follow';
  signal?: AbortSignal | null;
}

export interface OutboundOptions {
  /** Reach loopback and private addresses too (LATCHKEY_ALLOW_PRIVATE_OUTBOUND). */
  allowPrivate: boolean;
  /** Name resolution (dns.lookup); tests inject their own instead of real DNS. */
  lookup?: LookupFunction;
}

/** The HTTP client for manager-chosen URLs: fetch through a connection pool that checks every address it connects to. */
export class OutboundGuard {
  readonly allowPrivate: boolean;
  private readonly agent: Agent;

  constructor(opts: OutboundOptions) {
    this.allowPrivate = opts.allowPrivate;
    const resolve = opts.lookup ?? (dns.lookup as LookupFunction);
    // Names: every address they resolve to is judged, and only allowed ones are connected to.
    const lookup: LookupFunction = (hostname, options, callback) => {
      resolve(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 0);
        const all = (addresses as unknown as dns.LookupAddress[]).filter(
          (a) => this.allowPrivate || isPublicAddress(a.address),
        );
        if (all.length === 0) return callback(new OutboundRefused(hostname), '', 0);
        if (options.all) return callback(null, all as never);
        callback(null, all[0].address, all[0].family);
      });
    };
    const connect = buildConnector({ lookup, timeout: 10_000 });
    this.agent = new Agent({
      connect: (options, callback) => {
        // Addresses written in the URL are never looked up: judged here.
        const host = options.hostname.replace(/^\[|\]$/g, '');
        if (isIP(host) && !this.allowPrivate && !isPublicAddress(host))
          return callback(new OutboundRefused(host), null);
        return connect(options, callback);
      },
    });
  }

  /**
   * fetch() through the guarded pool (redirects are the caller's choice: pass redirect: 'manual').
   * Typed loosely enough for openid-client's customFetch, whose bodies include Uint8Array.
   */
  readonly fetch = (input: string | URL, init?: OutboundRequest): Promise<Response> =>
    undiciFetch(input, { ...(init as object), dispatcher: this.agent }) as unknown as Promise<Response>;

  async close(): Promise<void> {
    await this.agent.close();
  }
}

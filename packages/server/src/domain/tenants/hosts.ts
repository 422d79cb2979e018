import { isIP } from 'node:net';
import { invalid } from '../errors.js';

/**
 * Host names that serve one tenant at their root (`https://acme.id.example.com/oauth2/v1/token`).
 * A platform administrator assigns them; `LATCHKEY_TENANT_HOST_SUFFIX` maps `{slug}{suffix}` to the
 * tenant `slug` without assigning each.
 */
export interface HostRules {
  /** PUBLIC_URL's host name: every tenant lives there by path (`/t/{tenant}`), so it is no tenant's. */
  publicHost: string;
  /** LATCHKEY_TENANT_HOST_SUFFIX (`.id.example.com`), when set. */
  suffix?: string;
}

export const MAX_HOSTS_PER_TENANT = 20;
const MAX_HOST_LENGTH = 253;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why `host` is not a DNS name a tenant may have, in words for the administrator; undefined when it is one. */
export function hostProblem(host: string): string | undefined {
  if (host === '') return 'is empty';
  if (host.length > MAX_HOST_LENGTH) return `is longer than ${MAX_HOST_LENGTH} characters`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return 'is a URL: give the host name alone (acme.id.example.com)';
  if (host.startsWith('[') || isIP(host) !== 0) return 'is an IP address: a tenant host is a DNS name';
  if (host.includes('*'))
    return 'is a wildcard: set LATCHKEY_TENANT_HOST_SUFFIX to map {slug}.id.example.com to every tenant';
  if (host.includes(':')) return "has a port: give the host name alone (the port is PUBLIC_URL's)";
  if (/[/?#@\\]/.test(host)) return 'is not a host name (it has a path, query or user part)';
  if (host !== host.toLowerCase()) return `must be lowercase (${host.toLowerCase()})`;
  if (host.endsWith('.')) return 'must not end with a dot';
  const labels = host.split('.');
  if (labels.length < 2) return 'needs at least two labels (acme.example.com)';
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined)
    return bad === ''
      ? 'has an empty label (two dots in a row, or a leading dot)'
      : `has the label "${bad}": labels are 1-63 letters, digits or hyphens, not starting or ending with a hyphen`;
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return 'ends in an all-digit label (a top-level domain never is)';
  return undefined;
}

/**
 * Checks a tenant's whole list of hosts: DNS names (lowercase, labels of 1-63 characters, at most
 * 253 in all, two labels or more; no IP address, port, scheme or wildcard), each once, never
 * PUBLIC_URL's host nor one the suffix maps already. Returns them sorted.
 */
export function checkHosts(values: readonly string[], rules: HostRules): string[] {
  if (values.length > MAX_HOSTS_PER_TENANT) throw invalid(`hosts: at most ${MAX_HOSTS_PER_TENANT} per tenant`);
  const seen = new Set<string>();
  values.forEach((host, i) => {
    const shown = JSON.stringify(host.length > 80 ? host.slice(0, 80) + '…' : host);
    const problem = hostProblem(host);
    if (problem) throw invalid(`hosts[${i}] ${shown} ${problem}`);
    if (host === rules.publicHost)
      throw invalid(`hosts[${i}] ${shown} is PUBLIC_URL's host, which serves every tenant by path (/t/{tenant})`);
    if (rules.suffix && host.endsWith(rules.suffix))
      throw invalid(
        `hosts[${i}] ${shown} is under LATCHKEY_TENANT_HOST_SUFFIX (${rules.suffix}), which maps {slug}${rules.suffix} to the tenant {slug} already`,
      );
    if (seen.has(host)) throw invalid(`hosts[${i}] ${shown} is listed twice`);
    seen.add(host);
  });
  return [...seen].sort();
}

/** The URL a host serves a tenant at: PUBLIC_URL's scheme and port (the front door's), the host's name. */
export function hostOrigin(publicUrl: string, host: string): string {
  const u = new URL(publicUrl);
  return `${u.protocol}//${host}${u.port ? `:${u.port}` : ''}`;
}

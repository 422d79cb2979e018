import { isIP } from 'node:net';
import { MAX_LENGTH } from '../limits.js';

/**
 * The address a throttle counts by. An IPv6 host is usually given a whole /64, so one attacker
 * could otherwise rotate through 2^64 addresses: IPv6 counts by its /64. IPv4 (IPv4-mapped IPv6
 * too) counts by the address; anything else (a forwarded value that is no address) is cut short.
 */
export function throttleAddress(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  const bare = ip.split('%')[0];
  if (isIP(bare) !== 6) return ip.slice(0, MAX_LENGTH.address);
  // An embedded IPv4 tail stands for two groups.
  const groups = (s: string) => (s === '' ? [] : s.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])));
  const [head, tail] = bare.split('::');
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const full = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return (
    full
      .slice(0, 4)
      .map((g) => parseInt(g, 16).toString(16))
      .join(':') + '::/64'
  );
}

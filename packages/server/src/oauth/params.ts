import type { FastifyRequest } from 'fastify';
import { InvalidRequest, type OAuthError } from './errors.js';

export type Params = Record<string, string>;

/**
 * The form parameters of an OAuth request. RFC 6749 §3.2: parameters must not be repeated, and the
 * body must be form-encoded.
 */
export function formParams(request: FastifyRequest): Params {
  const type = request.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new InvalidRequest('the request body must be application/x-www-form-urlencoded');
  }
  const body = (request.body ?? {}) as Record<string, unknown>;
  const out: Params = {};
  for (const key of Object.keys(body)) {
    const v = body[key];
    if (Array.isArray(v)) throw new InvalidRequest(`parameter ${key} is repeated`);
    if (typeof v !== 'string') throw new InvalidRequest(`parameter ${key} is malformed`);
    if (v === '') continue; // RFC 6749 §3.1: empty parameters are treated as omitted
    out[key] = v;
  }
  return out;
}

export function required(params: Params, name: string): string {
  const v = params[name];
  if (v === undefined) throw new InvalidRequest(`missing parameter ${name}`);
  return v;
}

/**
 * Refuses a value longer than `max` (domain/limits.ts) with the error `refuse` makes, before it
 * reaches any lookup, cache or throttle.
 */
export function bounded(
  value: string | undefined,
  name: string,
  max: number,
  refuse: (description: string) => OAuthError,
): void {
  if (value !== undefined && value.length > max) throw refuse(`${name} is too long (at most ${max} characters)`);
}

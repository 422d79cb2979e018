import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { TestServer } from './harness.js';
import { hostOrigin } from '../../src/domain/tenants/hosts.js';

/** Cookies one browser holds for Latchkey (name → value). */
export type Jar = Map<string, string>;

export const remember = (jar: Jar, res: LightMyRequestResponse): void => {
  for (const c of res.cookies) {
    if (c.value === '' || (c.expires !== undefined && c.expires.getTime() <= Date.now()) || c.maxAge === 0)
      jar.delete(c.name);
    else jar.set(c.name, c.value);
  }
};

export interface SsoOptions {
  /** Cancel at the provider (it answers error=access_denied). */
  deny?: boolean;
  next?: string;
  /** This browser's Latchkey cookies (a fresh browser when omitted); updated in place. */
  jar?: Jar;
  /** Where the browser is: its address as Latchkey's socket sees it (inject's remoteAddress). */
  address?: string;
  /** A tenant host the sign-in starts at (its paths have no /t/demo), instead of PUBLIC_URL's path form. */
  host?: string;
}

export interface SsoRun {
  /** Latchkey's answer to the callback. */
  res: LightMyRequestResponse;
  /** The callback path the provider sent the browser to (state and code in the query). */
  callbackPath: string;
  /** The cookies this browser holds for Latchkey after the callback. */
  jar: Jar;
}

/**
 * A browser by hand: the upstream provider is reached over real HTTP (fetch) with a cookie jar of
 * its own; Latchkey's own URLs go to the app through inject(), with this browser's Latchkey cookies.
 */
export async function ssoSignIn(s: TestServer, idpId: string, email: string, opts: SsoOptions = {}): Promise<SsoRun> {
  const { callbackPath, jar } = await ssoCallback(s, idpId, email, opts);
  const res = await s.app.inject({
    method: 'GET',
    url: callbackPath,
    cookies: Object.fromEntries(jar),
    ...(opts.host ? { headers: { host: opts.host } } : {}),
    ...(opts.address ? { remoteAddress: opts.address } : {}),
  });
  remember(jar, res);
  return { res, callbackPath, jar };
}

/**
 * The same, up to the provider's redirect back, which is not followed: the callback path (what an
 * attacker would hand on) and the cookies the browser that started the sign-in holds.
 */
export async function ssoCallback(
  s: TestServer,
  idpId: string,
  email: string,
  opts: SsoOptions = {},
): Promise<{ callbackPath: string; jar: Jar }> {
  // Where the provider sends the browser back: the URL the sign-in started at.
  const publicUrl = opts.host ? hostOrigin(s.config.publicUrl, opts.host) : s.config.publicUrl;
  const latchkey: Jar = opts.jar ?? new Map();
  const upstream: Jar = new Map();
  const start = await s.app.inject({
    method: 'GET',
    url: `${opts.host ? '' : '/t/demo'}/login/sso?idp=${idpId}${opts.next ? `&next=${encodeURIComponent(opts.next)}` : ''}`,
    cookies: Object.fromEntries(latchkey),
    ...(opts.host ? { headers: { host: opts.host } } : {}),
    ...(opts.address ? { remoteAddress: opts.address } : {}),
  });
  assert.equal(start.statusCode, 302, start.body);
  remember(latchkey, start);
  let url = String(start.headers.location);
  let body: string | undefined;
  for (let hops = 0; hops < 20; hops++) {
    if (url.startsWith(publicUrl)) {
      return { callbackPath: url.slice(publicUrl.length), jar: latchkey };
    }
    const init: RequestInit = {
      redirect: 'manual',
      headers: { cookie: [...upstream].map(([k, v]) => `${k}=${v}`).join('; ') },
    };
    if (body !== undefined) {
      Object.assign(init, { method: 'POST', body });
      (init.headers as Record<string, string>)['content-type'] = 'application/x-www-form-urlencoded';
      body = undefined;
    }
    const res = await fetch(url, init);
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      upstream.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url).href;
      continue;
    }
    const html = await res.text();
    assert.equal(res.status, 200, html);
    const action = /action="([^"]+)"/.exec(html)?.[1];
    assert.ok(action, `a form at ${url}: ${html.slice(0, 300)}`);
    if (opts.deny) {
      url = new URL(/href="([^"]*\/abort)"/.exec(html)![1]!, url).href;
      continue;
    }
    url = new URL(action, url).href;
    body = html.includes('name="login"')
      ? new URLSearchParams({ prompt: 'login', login: email, password: 'anything' }).toString()
      : new URLSearchParams({ prompt: 'consent' }).toString();
  }
  throw new Error('too many redirects');
}

/** Latchkey's page for a failed sign-in: this status and heading, a way back, nothing internal. */
export function errorPage(res: LightMyRequestResponse, status: number, heading: RegExp): void {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(res.body, new RegExp(`<h1>${heading.source}`));
  assert.match(res.body, /<a href="\/console\/t\/demo\/sign-in">Back to sign-in<\/a>/);
  assert.doesNotMatch(res.body, /at .*\.(ts|js):\d+/, 'no stack trace');
}

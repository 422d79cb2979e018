import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call, sessionEnded, setCsrfToken } from '../api/client';
import { ApiError } from '../api/problem';
import type { Me } from '../api/types';

/**
 * The console session of one tenant: GET /session says whether the browser's cookie is signed in
 * (and gives the CSRF token back after a reload), /me what the person may do.
 */
interface SessionState {
  tenant: string;
  me: Me | undefined;
  /** True once a call found the session gone (shown on the sign-in screen). */
  wasExpired: boolean;
  status: 'loading' | 'signed-in' | 'signed-out';
  signIn(email: string, password: string): Promise<void>;
  /** Ends the console session; after single sign-on, says where the provider's own session can end too. */
  signOut(): Promise<ProviderSignOut | null>;
  /** A call answered 401: the session expired or ended elsewhere. */
  expired(): void;
}

/** The identity provider's logout page, offered after signing out of an SSO session. */
export interface ProviderSignOut {
  endSessionUrl: string;
  provider: string;
}

const Ctx = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

export const sessionKey = (tenant: string) => ['session', tenant] as const;

async function loadSession(tenant: string): Promise<Me | null> {
  try {
    // Both at once: the first screen waits for neither longer than it must.
    const [session, me] = await Promise.all([
      call(api.GET('/t/{tenant}/api/v1/session', { params: { path: { tenant } } })),
      call(api.GET('/t/{tenant}/api/v1/me', { params: { path: { tenant } } })),
    ]);
    setCsrfToken(session.csrfToken);
    return me;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 400)) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

export function SessionProvider({ tenant, children }: { tenant: string; children: ReactNode }) {
  const qc = useQueryClient();
  const [expiredFlag, setExpiredFlag] = useState(false);
  const q = useQuery({
    queryKey: sessionKey(tenant),
    queryFn: () => loadSession(tenant),
    staleTime: Infinity,
    retry: false,
  });

  const signIn = useCallback(
    async (email: string, password: string) => {
      const session = await call(
        api.POST('/t/{tenant}/api/v1/session', { params: { path: { tenant } }, body: { email, password } }),
      );
      setCsrfToken(session.csrfToken);
      const me = await call(api.GET('/t/{tenant}/api/v1/me', { params: { path: { tenant } } }));
      qc.removeQueries({ predicate: (query) => query.queryKey[0] !== 'session' });
      qc.setQueryData(sessionKey(tenant), me);
      setExpiredFlag(false);
    },
    [qc, tenant],
  );

  const signOut = useCallback(async () => {
    try {
      // 204 after a password session; 200 {endSessionUrl} after single sign-on with a provider that has a logout endpoint.
      const ended = await call(api.DELETE('/t/{tenant}/api/v1/session', { params: { path: { tenant } } }));
      if (!ended?.endSessionUrl) return null;
      // The server offers only https (or loopback http) URLs; a link is never made of anything else.
      const url = new URL(ended.endSessionUrl);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
      // The answer names no provider: its host is what the person recognises.
      return { endSessionUrl: url.href, provider: url.host };
    } finally {
      setCsrfToken(null);
      qc.clear();
      qc.setQueryData(sessionKey(tenant), null);
    }
  }, [qc, tenant]);

  const expired = useCallback(() => {
    setCsrfToken(null);
    setExpiredFlag(true);
    qc.setQueryData(sessionKey(tenant), null);
  }, [qc, tenant]);

  useEffect(() => {
    const onEnded = () => {
      if (qc.getQueryData(sessionKey(tenant))) expired();
    };
    sessionEnded.addEventListener('ended', onEnded);
    return () => sessionEnded.removeEventListener('ended', onEnded);
  }, [qc, tenant, expired]);

  const value = useMemo<SessionState>(
    () => ({
      tenant,
      me: q.data ?? undefined,
      wasExpired: expiredFlag,
      status: q.isPending ? 'loading' : q.data ? 'signed-in' : 'signed-out',
      signIn,
      signOut,
      expired,
    }),
    [tenant, q.data, q.isPending, expiredFlag, signIn, signOut, expired],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

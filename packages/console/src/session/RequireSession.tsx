import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { Loading } from '../components/States';
import { useSession } from './session';
import { tenantBase } from '../site';

/** Signed-out visitors go to the sign-in screen, which brings them back here afterwards. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { status, tenant, wasExpired } = useSession();
  const location = useLocation();
  if (status === 'loading') return <Loading label="Checking your session" />;
  if (status === 'signed-out') {
    const next = location.pathname + location.search;
    const params = new URLSearchParams({ next });
    if (wasExpired) params.set('expired', '1');
    return <Navigate to={`${tenantBase(tenant)}/sign-in?${params}`} replace />;
  }
  return <>{children}</>;
}

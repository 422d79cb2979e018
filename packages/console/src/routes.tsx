import { lazy, Suspense } from 'react';
import { createBrowserRouter, Navigate, Outlet, useParams, type RouteObject } from 'react-router';
import { SessionProvider } from './session/session';
import { RequireSession } from './session/RequireSession';
import { Shell } from './components/Shell';
import { Loading } from './components/States';
import { SignInScreen } from './screens/SignInScreen';
import { MyClientsScreen, prefetchMyClients } from './screens/MyClientsScreen';
import { NotFoundScreen } from './screens/NotFoundScreen';
import { hostTenant } from './site';

// The User & Company Manager is loaded only when a manager opens it: the first screen stays small.
const ManagerScreen = lazy(() => import('./screens/manager/ManagerScreen'));
const TenantsScreen = lazy(() => import('./screens/admin/TenantsScreen'));

function Tenant() {
  // At a tenant host the tenant is the host's; elsewhere the URL names it.
  const params = useParams();
  const tenant = hostTenant ?? params.tenant!;
  return (
    <SessionProvider key={tenant} tenant={tenant}>
      <Outlet />
    </SessionProvider>
  );
}

/** One tenant's screens, under /t/:tenant, or at the root of a tenant host's console. */
const tenantRoutes: RouteObject[] = [
  { path: 'sign-in', element: <SignInScreen /> },
  {
    element: (
      <RequireSession>
        <Shell />
      </RequireSession>
    ),
    children: [
      { index: true, element: <Navigate to="oauth2-clients" replace /> },
      {
        path: 'oauth2-clients',
        element: <MyClientsScreen />,
        loader: ({ params }) => prefetchMyClients(hostTenant ?? params.tenant!),
      },
      {
        path: 'manage/*',
        element: (
          <Suspense fallback={<Loading />}>
            <ManagerScreen />
          </Suspense>
        ),
      },
      {
        path: 'platform/tenants',
        element: (
          <Suspense fallback={<Loading />}>
            <TenantsScreen />
          </Suspense>
        ),
      },
      { path: '*', element: <NotFoundScreen /> },
    ],
  },
];

export const router = createBrowserRouter(
  hostTenant
    ? [{ path: '/', element: <Tenant />, children: tenantRoutes }]
    : [
        { path: '/', element: <Navigate to="/t/demo/" replace /> },
        { path: '/t/:tenant', element: <Tenant />, children: tenantRoutes },
        { path: '*', element: <NotFoundScreen /> },
      ],
  { basename: '/console' },
);

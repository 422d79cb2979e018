import { lazy, Suspense } from 'react';
import { createBrowserRouter, Navigate, Outlet, useParams } from 'react-router';
import { SessionProvider } from './session/session';
import { RequireSession } from './session/RequireSession';
import { Shell } from './components/Shell';
import { Loading } from './components/States';
import { SignInScreen } from './screens/SignInScreen';
import { MyClientsScreen, prefetchMyClients } from './screens/MyClientsScreen';
import { NotFoundScreen } from './screens/NotFoundScreen';

// The User & Company Manager is loaded only when a manager opens it: the first screen stays small.
const ManagerScreen = lazy(() => import('./screens/manager/ManagerScreen'));
const TenantsScreen = lazy(() => import('./screens/admin/TenantsScreen'));

function Tenant() {
  const { tenant } = useParams();
  return (
    <SessionProvider key={tenant} tenant={tenant!}>
      <Outlet />
    </SessionProvider>
  );
}

export const router = createBrowserRouter(
  [
    { path: '/', element: <Navigate to="/t/demo/" replace /> },
    {
      path: '/t/:tenant',
      element: <Tenant />,
      children: [
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
              loader: ({ params }) => prefetchMyClients(params.tenant!),
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
      ],
    },
    { path: '*', element: <NotFoundScreen /> },
  ],
  { basename: '/console' },
);

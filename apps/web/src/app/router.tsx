import { createBrowserRouter, type RouteObject } from 'react-router';
import { GuestOnly } from '../features/auth/guest-only';
import { RequireAuth } from '../features/auth/require-auth';
import { LoadingState } from '../components/loading-state';
import { loadLab } from './env';
import { AppLayout } from './routes/app-layout';
import { HomeRoute } from './routes/home-route';
import { InspectRoute } from './routes/inspect-route';
import { LoginRoute } from './routes/login-route';
import { NotFoundRoute } from './routes/not-found-route';
import { RegisterRoute } from './routes/register-route';
import { SessionsRoute } from './routes/sessions-route';

function labRoutes(): RouteObject[] {
  const load = loadLab;
  return load
    ? [{ path: 'lab', HydrateFallback: () => <LoadingState label="Loading the lab…" />, lazy: { Component: async () => (await load()).LabRoute } }]
    : [];
}

export const routes: RouteObject[] = [
  {
    element: <AppLayout />,
    children: [
      {
        element: <GuestOnly />,
        children: [
          { path: 'login', element: <LoginRoute /> },
          { path: 'register', element: <RegisterRoute /> },
        ],
      },
      {
        element: <RequireAuth />,
        children: [
          { index: true, element: <HomeRoute /> },
          { path: 'sessions', element: <SessionsRoute /> },
        ],
      },
      { path: 'inspect', element: <InspectRoute /> },
      // Development and VITE_LAB=1 builds only: elsewhere /lab is a page like any unknown one.
      ...labRoutes(),
      { path: '*', element: <NotFoundRoute /> },
    ],
  },
];

export const createAppRouter = () => createBrowserRouter(routes);

import { Navigate, Outlet, useLocation, type Location } from 'react-router';
import { useTokens } from './queries';
import { isDeliberateSignOut } from './signOutIntent';

interface FromState {
  from?: Pick<Location, 'pathname' | 'search' | 'hash'>;
}

/** Where to go after signing in: the page the guard sent us away from, else home. */
export function returnPath(state: unknown): string {
  const from = (state as FromState | null)?.from;
  if (!from || typeof from.pathname !== 'string' || !from.pathname.startsWith('/') || from.pathname.startsWith('//')) return '/';
  if (from.pathname === '/login' || from.pathname === '/signup') return '/';
  return `${from.pathname}${from.search ?? ''}${from.hash ?? ''}`;
}

/** Signed-in pages: signed-out visitors (or a session that just ended) go to /login and come back after. */
export function RequireAuth() {
  const tokens = useTokens();
  const location = useLocation();
  if (!tokens) {
    const state: FromState | null = isDeliberateSignOut() ? null : { from: location };
    return <Navigate to="/login" replace state={state} />;
  }
  return <Outlet />;
}

/** Login and signup: someone already signed in goes on to where they were headed. */
export function RequireGuest() {
  const tokens = useTokens();
  const location = useLocation();
  if (tokens) return <Navigate to={returnPath(location.state)} replace />;
  return <Outlet />;
}

import { createBrowserRouter, Navigate } from 'react-router';
import { RequireAuth, RequireGuest } from '../features/auth/guards';
import { AppShell } from '../features/home/AppShell';
import { tokenStore } from '../api/client';
import { AppSkeleton } from '../ui/Skeleton';
import { NotFoundPage, RouteError } from './RouteError';

/** Pages reached signed in or out, from a mailed link: their own layout, not the app's. */
const STANDALONE = ['/verify-email', '/confirm-email-change', '/forgot-password', '/reset-password', '/unsubscribe', '/login', '/signup'];

/** While the first page's code loads: the app's shape for someone signed in (a slow network shows it, not a blank). */
function LoadingApp() {
  if (tokenStore.get() && !STANDALONE.includes(window.location.pathname)) return <AppSkeleton />;
  return <div className="h-full bg-main dark:bg-main-dark" />;
}

// Pages load on demand, so the first load carries only the shell and the page being opened.
const page = (load: () => Promise<{ default: React.ComponentType }>) => async () => ({ Component: (await load()).default });

export const router = createBrowserRouter([
  {
    errorElement: <RouteError />,
    hydrateFallbackElement: <LoadingApp />,
    children: [
      // Emailed links and the reset request: they work signed in or out.
      { path: '/verify-email', lazy: page(() => import('../features/account/VerifyEmailPage')) },
      { path: '/confirm-email-change', lazy: page(() => import('../features/account/ConfirmEmailChangePage')) },
      { path: '/forgot-password', lazy: page(() => import('../features/account/ForgotPasswordPage')) },
      { path: '/reset-password', lazy: page(() => import('../features/account/ResetPasswordPage')) },
      { path: '/unsubscribe', lazy: page(() => import('../features/notifications/UnsubscribePage')) },
      {
        element: <RequireGuest />,
        children: [
          { path: '/login', lazy: page(() => import('../features/auth/LoginPage')) },
          { path: '/signup', lazy: page(() => import('../features/auth/SignupPage')) },
        ],
      },
      {
        element: <RequireAuth />,
        children: [
          {
            element: <AppShell />,
            children: [
              { index: true, lazy: page(() => import('../features/home/HomePage')) },
              { path: '/servers/:serverId', lazy: page(() => import('../features/servers/ServerPage')) },
              { path: '/servers/:serverId/channels/:channelId', lazy: page(() => import('../features/servers/ServerPage')) },
              { path: '/servers/:serverId/channels/:channelId/:messageId', lazy: page(() => import('../features/servers/ServerPage')) },
              { path: '/servers/:serverId/settings/:section?', lazy: page(() => import('../features/servers/ServerSettings')) },
              { path: '/channels/@me/:channelId', lazy: page(() => import('../features/dms/DmPage')) },
              { path: '/channels/@me/:channelId/:messageId', lazy: page(() => import('../features/dms/DmPage')) },
              // A channel (or a message in it) by id alone, as kamachat:// links and notifications name them.
              { path: '/channels/:channelId/:messageId?', lazy: page(() => import('../features/messages/ChannelLinkPage')) },
              // web+kamachat: links (the installed web app's protocol handler) arrive here.
              { path: '/open', lazy: page(() => import('../features/home/OpenLinkPage')) },
              { path: '/invite/:code', lazy: page(() => import('../features/servers/InvitePage')) },
              { path: '/friends', lazy: page(() => import('../features/friends/FriendsPage')) },
              { path: '/users/:id', lazy: page(() => import('../features/users/ProfilePage')) },
              {
                path: '/settings',
                lazy: page(() => import('../features/settings/SettingsLayout')),
                children: [
                  { index: true, element: <Navigate to="profile" replace /> },
                  { path: 'profile', lazy: page(() => import('../features/settings/ProfileSettings')) },
                  { path: 'account', lazy: page(() => import('../features/settings/AccountSettings')) },
                  { path: 'security', lazy: page(() => import('../features/settings/SecuritySettings')) },
                  { path: 'notifications', lazy: page(() => import('../features/notifications/NotificationSettingsPage')) },
                  { path: 'privacy', lazy: page(() => import('../features/friends/PrivacySettingsPage')) },
                  { path: 'sessions', lazy: page(() => import('../features/settings/SessionsSettings')) },
                  { path: 'appearance', lazy: page(() => import('../features/settings/AppearanceSettings')) },
                  { path: 'voice', lazy: page(() => import('../features/settings/VoiceSettings')) },
                ],
              },
              { path: '*', element: <NotFoundPage /> },
            ],
          },
        ],
      },
    ],
  },
]);

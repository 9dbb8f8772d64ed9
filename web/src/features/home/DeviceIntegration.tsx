import { useCallback, useEffect, useState } from 'react';
import { useLocation } from 'react-router';
import { NotificationPrompt } from '../notifications/NotificationPrompt';
import { trySubscribeToPush } from '../notifications/push';
import { useAppBadge } from '../notifications/useAppBadge';
import { useMessageNotifications } from '../notifications/useMessageNotifications';
import { useServiceWorkerNavigation } from '../../platform/serviceWorker';
import { useDesktopIntegration } from '../../platform/useDesktopIntegration';
import { useAwayReporting } from '../status/useAwayReporting';

/** What the signed-in app does beyond the page: pop-ups, Web Push, the app badge or tray, the desktop app's hooks, idle. */
export function DeviceIntegration() {
  const [wanted, setWanted] = useState(false);
  const { pathname } = useLocation();
  useMessageNotifications(useCallback(() => setWanted(true), []));
  useAppBadge();
  useDesktopIntegration();
  useServiceWorkerNavigation();
  useAwayReporting();
  // Keeps this browser's push subscription current (allowed earlier, or the server's key changed).
  useEffect(() => trySubscribeToPush(), []);
  // Opening a direct message is the other moment to ask.
  const inDm = pathname.startsWith('/channels/@me/');
  return <NotificationPrompt wanted={wanted || inDm} />;
}

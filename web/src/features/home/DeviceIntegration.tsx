import { useAppBadge } from '../notifications/useAppBadge';
import { useMessageNotifications } from '../notifications/useMessageNotifications';
import { useServiceWorkerNavigation } from '../../platform/serviceWorker';
import { useDesktopIntegration } from '../../platform/useDesktopIntegration';
import { useAwayReporting } from '../status/useAwayReporting';

/** What the signed-in app does beyond the page: pop-ups, the app badge or tray, the desktop app's hooks, idle. */
export function DeviceIntegration() {
  useMessageNotifications();
  useAppBadge();
  useDesktopIntegration();
  useServiceWorkerNavigation();
  useAwayReporting();
  return null;
}

import { useAppBadge } from '../notifications/useAppBadge';
import { useMessageNotifications } from '../notifications/useMessageNotifications';
import { useServiceWorkerNavigation } from '../../platform/serviceWorker';
import { useDesktopIntegration } from '../../platform/useDesktopIntegration';

/** What the signed-in app does beyond the page: pop-ups, the app badge or tray, and the desktop app's hooks. */
export function DeviceIntegration() {
  useMessageNotifications();
  useAppBadge();
  useDesktopIntegration();
  useServiceWorkerNavigation();
  return null;
}

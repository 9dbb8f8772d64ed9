import { useEffect, useSyncExternalStore } from 'react';
import { useNavigate } from 'react-router';
import { useConnectionStatus, useGateway } from '../features/gateway/context';
import { useNotificationSettings, useUpdateNotificationSettingsMutation } from '../features/notifications/queries';
import { desktopBridge, DesktopEventName, onDesktopEvent } from './desktopBridge';

/**
 * In KamaChat Desktop: the tray's status and mute go to the server (SetPresence, the notification settings) and
 * the tray shows what the server has; links and clicked notifications open here; a wake-up or a network change
 * reconnects the gateway at once. Nothing happens in a plain browser.
 */
export function useDesktopIntegration() {
  const bridge = desktopBridge();
  const gateway = useGateway();
  const navigate = useNavigate();
  const { data: settings } = useNotificationSettings();
  const { mutate: updateSettings } = useUpdateNotificationSettingsMutation();
  const status = useSyncExternalStore(gateway.subscribe, gateway.getChosenStatus);
  // Reported once connected: the host takes the first report as "this page's client is up".
  const connection = useConnectionStatus();
  const connected = connection === 'connected' || connection === 'restored';

  useEffect(() => {
    if (!bridge) return;
    const stops = [
      onDesktopEvent(DesktopEventName.status, ({ status }) => void gateway.setPresence(status)),
      onDesktopEvent(DesktopEventName.mute, ({ muted }) => updateSettings({ desktopMuted: muted })),
      onDesktopEvent(DesktopEventName.resume, () => gateway.reconnectNow()),
      onDesktopEvent(DesktopEventName.navigate, ({ path }, event) => {
        event.preventDefault();
        void navigate(path);
      }),
    ];
    return () => stops.forEach((stop) => stop());
  }, [bridge, gateway, navigate, updateSettings]);

  const muted = settings?.desktopMuted;
  useEffect(() => {
    if (bridge && connected && muted !== undefined) void bridge.setTrayState({ status, notificationsMuted: muted }).catch(() => undefined);
  }, [bridge, connected, status, muted]);
}

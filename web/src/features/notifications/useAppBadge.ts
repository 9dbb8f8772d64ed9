import { useEffect } from 'react';
import { desktopBridge } from '../../platform/desktopBridge';
import { useDms } from '../dms/queries';
import { useReadStates } from '../gateway/context';
import { unreadSummary, type UnreadSummary } from '../messages/unread';
import { useServers } from '../servers/queries';

const ignore = () => undefined;

/** Shows the summary where the platform can: the desktop app's tray, or an installed web app's icon badge. */
export function publishBadge({ unread, mentions }: UnreadSummary) {
  const desktop = desktopBridge();
  if (desktop) {
    void desktop.setUnread({ unread, mentions }).catch(ignore);
    return;
  }
  if (typeof navigator.setAppBadge !== 'function') return;
  // The Badging API: a number counts what calls for us; no number is a plain "something unread" dot.
  if (mentions > 0) void navigator.setAppBadge(mentions).catch(ignore);
  else if (unread > 0) void navigator.setAppBadge().catch(ignore);
  else void navigator.clearAppBadge().catch(ignore);
}

/** Keeps the app badge (or the desktop tray) in step with the unread state; clears it when the session ends. */
export function useAppBadge() {
  const servers = useServers();
  const { data: dms = [] } = useDms();
  const readStates = useReadStates();
  const { unread, mentions } = unreadSummary(servers, dms, readStates);
  useEffect(() => publishBadge({ unread, mentions }), [unread, mentions]);
  useEffect(() => () => publishBadge({ unread: 0, mentions: 0 }), []);
}

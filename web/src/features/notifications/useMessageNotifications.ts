import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useLocation, useNavigate } from 'react-router';
import type { DmChannel, Member, Role } from '../../api/types';
import { dmKeys } from '../dms/queries';
import { useGateway } from '../gateway/context';
import type { EventData, ReadyServer } from '../gateway/protocol';
import { memberKeys, myRoleIdsIn, rolesQuery, serverKeys } from '../servers/queries';
import { displayName } from '../users/displayName';
import { notificationFor, type NotificationContext } from './messageNotification';
import { playNotificationSound } from './sound';
import { notificationKeys, useNotificationSettings } from './queries';
import { notificationsAllowed, showNotification } from './showNotification';

/** The conversation a path of ours shows: /servers/S/channels/C[/M] or /channels/@me/C[/M]. */
export function conversationInPath(pathname: string): string | null {
  const match = /^\/(?:servers\/\d+\/channels|channels\/@me)\/(\d+)/.exec(pathname);
  return match ? match[1]! : null;
}

/**
 * Pop-ups (with a sound) for direct messages and mentions, raised from the gateway's events while the app runs (a
 * browser tab, an installed web app, or the desktop app, which shows them natively). Respects the user's mute, their
 * per-server and per-channel levels and mutes (settings on the server, so every device agrees) and Do Not Disturb.
 * `onWanted` hears of each message that would pop up, allowed or not (the moment to ask for permission).
 */
export function useMessageNotifications(onWanted?: () => void) {
  const gateway = useGateway();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const { data: settings } = useNotificationSettings();
  const current = useRef<{ pathname: string; muted: boolean; rules: NotificationContext['rules'] }>({
    pathname,
    muted: false,
    rules: undefined,
  });
  useEffect(() => {
    current.current = { pathname, muted: settings?.desktopMuted ?? false, rules: settings };
  }, [pathname, settings]);

  // A mute set on another device reaches this one when it reconnects (or its window gets the focus back).
  useEffect(() => {
    const stop = gateway.subscribe(() => {
      if (gateway.getStatus() === 'restored') void qc.invalidateQueries({ queryKey: notificationKeys.settings });
    });
    return () => void stop();
  }, [gateway, qc]);

  useEffect(() => {
    const notify = (
      message: EventData<'MessageCreated'>,
      roles: readonly Role[] | undefined,
      myRoleIds: ReadonlySet<string> | undefined,
    ) => {
      const servers = qc.getQueryData<ReadyServer[]>(serverKeys.list) ?? [];
      const dms = qc.getQueryData<DmChannel[]>(dmKeys.list);
      const server = servers.find((s) => s.channels.some((c) => c.id === message.channelId));
      const members = server ? qc.getQueryData<Member[]>(memberKeys.list(server.id)) : undefined;
      const nameOf = (userId: string) => {
        const person = members?.find((m) => m.userId === userId) ?? dms?.flatMap((d) => d.recipients).find((r) => r.id === userId);
        return person && displayName(person);
      };
      const focused = document.visibilityState === 'visible' && document.hasFocus();
      const notification = notificationFor(message, {
        myId: gateway.userId,
        servers,
        dms,
        muted: current.current.muted,
        rules: current.current.rules,
        status: gateway.getChosenStatus(),
        viewing: focused ? conversationInPath(current.current.pathname) : null,
        nameOf,
        roleOf: (roleId) => roles?.find((r) => r.id === roleId),
        myRoleIds,
      });
      if (!notification) return;
      onWanted?.();
      if (notificationsAllowed()) playNotificationSound();
      void showNotification(notification, (path) => void navigate(path));
    };
    const stop = gateway.onEvent((event) => {
      if (event.type !== 'MessageCreated') return;
      const message = JSON.parse(event.data) as EventData<'MessageCreated'>;
      const server = qc.getQueryData<ReadyServer[]>(serverKeys.list)?.find((s) => s.channels.some((c) => c.id === message.channelId));
      // A role mention names the role, and reaches me if I hold it: the server's roles, and mine there, are fetched
      // first when this session has not loaded them.
      const myId = gateway.userId;
      const namesRoles = /<@&\d/.test(message.content);
      const mentionsRoles = message.mentionRoles.length > 0;
      if (!server || !myId || !(namesRoles || mentionsRoles)) return notify(message, undefined, undefined);
      void Promise.all([
        namesRoles ? qc.ensureQueryData(rolesQuery(server.id)).catch(() => undefined) : undefined,
        mentionsRoles ? myRoleIdsIn(qc, server.id, myId).catch(() => undefined) : undefined,
      ]).then(([roles, mine]) => notify(message, roles, mine));
    });
    return () => void stop();
  }, [gateway, qc, navigate, onWanted]);
}

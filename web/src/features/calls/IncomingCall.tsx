import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { useNavigate } from 'react-router';
import { useMe } from '../auth/queries';
import { dmTitle, useDms } from '../dms/queries';
import { useDmCalls, useGateway } from '../gateway/context';
import { notificationsAllowed } from '../notifications/showNotification';
import { displayName } from '../users/displayName';
import { Ringer } from './ringer';
import { declineCall, dmCallStore, joinCall } from './store';

export const useDmCall = () => useSyncExternalStore(dmCallStore.subscribe, dmCallStore.get);
export const useDmCallError = () => useSyncExternalStore(dmCallStore.subscribe, dmCallStore.getError);

/**
 * The card of a call ringing for us (in any conversation, on any page): who calls, Accept and Decline. It rings
 * while shown, and when the page is hidden a notification says who is calling.
 */
export function IncomingCall() {
  const gateway = useGateway();
  const navigate = useNavigate();
  const calls = useDmCalls();
  const mine = useDmCall();
  const { data: me } = useMe();
  const { data: dms } = useDms();
  const ringing = useMemo(
    () => Object.values(calls).find((c) => me && c.ringing.includes(me.id) && c.channelId !== mine?.channelId),
    [calls, me, mine?.channelId],
  );
  const dm = ringing && dms?.find((d) => d.id === ringing.channelId);
  const caller = dm?.recipients.find((r) => r.id === ringing?.startedBy);
  const callerName = caller ? displayName(caller) : 'Someone';
  const where = dm?.type === 'group_dm' ? dmTitle(dm, me?.id) : null;

  const channelId = ringing?.channelId;
  useEffect(() => {
    if (!channelId) return;
    const ringer = new Ringer();
    ringer.start();
    let notification: Notification | null = null;
    if (document.hidden && notificationsAllowed()) {
      try {
        notification = new Notification('Incoming call', { body: `${callerName} is calling you.`, tag: `call-${channelId}` });
        notification.onclick = () => {
          window.focus();
          void navigate(`/channels/@me/${channelId}`);
        };
      } catch {
        // Only the service worker may show notifications here (Chrome on Android): the card and ring remain.
      }
    }
    return () => {
      ringer.stop();
      notification?.close();
    };
  }, [channelId, callerName, navigate]);

  if (!ringing) return null;
  return (
    <section
      role="dialog"
      aria-labelledby="incoming-call-title"
      aria-describedby="incoming-call-detail"
      className="fixed top-16 left-1/2 z-40 w-72 -translate-x-1/2 rounded-lg border border-zinc-300 bg-white p-4 shadow-xl dark:border-black/40 dark:bg-[#2b2d31]"
    >
      <h2 id="incoming-call-title" className="font-semibold">
        Incoming call
      </h2>
      <p id="incoming-call-detail" className="mt-1 text-sm text-zinc-700 dark:text-zinc-300">
        {callerName} is calling you{where ? ` in ${where}` : ''}.
      </p>
      <div className="mt-3 flex gap-2">
        <button
          type="button"
          className="flex-1 rounded bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-800"
          onClick={() => {
            void navigate(`/channels/@me/${ringing.channelId}`);
            void joinCall(gateway, ringing.channelId, 'accept');
          }}
        >
          Accept
        </button>
        <button
          type="button"
          className="flex-1 rounded bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800"
          onClick={() => void declineCall(gateway, ringing.channelId)}
        >
          Decline
        </button>
      </div>
    </section>
  );
}

import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import { useNavigate } from 'react-router';
import { useMe } from '../auth/queries';
import { dmTitle, useDms } from '../dms/queries';
import { useDmCalls, useGateway } from '../gateway/context';
import { desktopBridge, DesktopEventName, onDesktopEvent } from '../../platform/desktopBridge';
import { displayName } from '../users/displayName';
import { channelOfCallTag, notifyIncomingCall, type CallAnswer } from './callNotification';
import { Ringer } from './ringer';
import { declineCall, dmCallStore, joinCall } from './store';

export const useDmCall = () => useSyncExternalStore(dmCallStore.subscribe, dmCallStore.get);
export const useDmCallError = () => useSyncExternalStore(dmCallStore.subscribe, dmCallStore.getError);

/**
 * The card of a call ringing for us (in any conversation, on any page): who calls, Accept and Decline. It rings
 * while shown, and while the window does not have the focus a notification says who is calling (with Accept and
 * Decline buttons in the desktop app).
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
  const answer = useCallback(
    (how: CallAnswer, id: string) => {
      if (how === 'decline') {
        void declineCall(gateway, id);
        return;
      }
      void navigate(`/channels/@me/${id}`);
      if (how === 'accept') void joinCall(gateway, id, 'accept');
    },
    [gateway, navigate],
  );

  useEffect(() => {
    if (!channelId) return;
    const ringer = new Ringer();
    ringer.start();
    // Do Not Disturb keeps the pop-up away (as for messages); the card and the ring stay in the window.
    const withdraw =
      gateway.getChosenStatus() === 'dnd'
        ? () => undefined
        : notifyIncomingCall(
            { channelId, title: `${callerName} is calling`, body: where ? `Incoming call in ${where}` : 'Incoming call' },
            (how) => answer(how, channelId),
          );
    return () => {
      ringer.stop();
      withdraw();
    };
  }, [channelId, callerName, where, answer, gateway]);

  // In the desktop app, a button of the notification the hidden page showed while the window was closed: the window
  // opened for it, and its client takes the call.
  useEffect(() => {
    if (!desktopBridge()) return;
    return onDesktopEvent(DesktopEventName.notificationAction, ({ action, tag }, event) => {
      const id = channelOfCallTag(tag);
      if (!id || (action !== 'accept' && action !== 'decline')) return;
      event.preventDefault();
      answer(action, id);
    });
  }, [answer]);

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
          onClick={() => answer('accept', ringing.channelId)}
        >
          Accept
        </button>
        <button
          type="button"
          className="flex-1 rounded bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800"
          onClick={() => answer('decline', ringing.channelId)}
        >
          Decline
        </button>
      </div>
    </section>
  );
}

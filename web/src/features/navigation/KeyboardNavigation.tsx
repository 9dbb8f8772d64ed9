import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useDms } from '../dms/queries';
import { useGateway, useReadStates } from '../gateway/context';
import { unreadOf } from '../messages/unread';
import { useServers } from '../servers/queries';
import { adjacentChannel, channelOrder } from './destinations';
import { shortcutFor } from './shortcuts';

// Loaded when first opened: most sessions never press Ctrl+K.
const QuickSwitcher = lazy(() => import('./QuickSwitcher'));
const ShortcutsSheet = lazy(() => import('./ShortcutsSheet'));

/** The conversations Alt+↑/↓ moves between where you are: the server's text channels, or your DMs. */
function useNeighbourhood() {
  const { serverId, channelId } = useParams();
  const servers = useServers();
  const { data: dms = [] } = useDms();
  const readStates = useReadStates();
  const server = servers.find((s) => s.id === serverId);
  const order = server
    ? channelOrder(server).map((c) => ({ id: c.id, last: c.lastMessageId, path: `/servers/${server.id}/channels/${c.id}` }))
    : dms.map((d) => ({ id: d.id, last: d.lastMessageId, path: `/channels/@me/${d.id}` }));
  return { channelId, order: order.map((c) => ({ ...c, unread: unreadOf(c.id, c.last, readStates).unread })) };
}

/** App-wide keys: the quick switcher, the shortcuts sheet, moving between channels, and Esc to mark read. */
export function KeyboardNavigation() {
  const [open, setOpen] = useState<'switcher' | 'sheet' | null>(null);
  const navigate = useNavigate();
  const gateway = useGateway();
  const here = useNeighbourhood();
  // The listener is added once; it reads the latest neighbourhood through a ref.
  const latest = useRef(here);
  useEffect(() => {
    latest.current = here;
  });

  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      const action = shortcutFor(e, !!document.querySelector('dialog[open]'));
      if (!action) return;
      const { order } = latest.current;
      // Where we are is the address bar, not the last render: a navigation commits its render later (a transition),
      // so a second Alt+↓ pressed quickly would otherwise move from the channel before the first one.
      const channelId = order.find((c) => c.path === window.location.pathname)?.id ?? latest.current.channelId;
      switch (action.kind) {
        case 'switcher':
        case 'sheet':
          e.preventDefault();
          setOpen((now) => (now === action.kind ? null : action.kind));
          return;
        case 'move': {
          const next = adjacentChannel(order, channelId, action.step, action.unreadOnly);
          if (!next) return;
          e.preventDefault();
          void navigate(next.path);
          return;
        }
        case 'markRead': {
          const current = order.find((c) => c.id === channelId);
          if (current?.last && current.unread) void gateway.ack(current.id, current.last);
          return;
        }
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [navigate, gateway]);

  const close = () => setOpen(null);
  return (
    <Suspense fallback={null}>
      {open === 'switcher' && <QuickSwitcher onClose={close} />}
      {open === 'sheet' && <ShortcutsSheet onClose={close} />}
    </Suspense>
  );
}

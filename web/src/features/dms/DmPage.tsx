import { useMemo } from 'react';
import { DmSidebar } from './DmSidebar';
import { useParams } from 'react-router';
import { MessageSkeleton } from '../../ui/Skeleton';
import { useOpenWhile } from '../../ui/useOpenWhile';
import { usePageTitle } from '../../ui/usePageTitle';
import { useMe } from '../auth/queries';
import { ChannelView } from '../messages/ChannelView';
import { PinnedMessages } from '../messages/PinnedMessages';
import { NotificationBell, useNotificationMenuItem } from '../notifications/RuleEditor';
import { BESIDE_MENU, HeaderMenu, useHeaderPanels } from '../../ui/HeaderMenu';
import { PinIcon, UsersIcon } from '../../ui/icons';
import { useDmSearchSources } from '../search/sources';
import { useSearchUi } from '../search/useSearchUi';
import { displayName } from '../users/displayName';
import { CallBar, CallButton, CallVideos } from '../calls/CallBar';
import { GroupMembers } from './GroupMembers';
import { SidePanel, SidePanelButton } from '../../ui/SidePanel';
import { dmTitle, useDms } from './queries';

/** A DM or group DM: the list on the left, the conversation in the middle. */
export default function DmPage() {
  const { channelId = '', messageId } = useParams();
  const { data: dms, isPending } = useDms();
  const { data: me } = useMe();
  const dm = dms?.find((d) => d.id === channelId);
  const title = dm ? dmTitle(dm, me?.id) : 'Direct message';
  usePageTitle(title);
  const nav = useOpenWhile(channelId);
  const search = useSearchUi(useDmSearchSources(me?.id));
  const panels = useHeaderPanels<'notifications' | 'pins' | 'members'>();
  const bellItem = useNotificationMenuItem(channelId, undefined, panels('notifications'));
  const members = useMemo(() => (dm?.recipients ?? []).map((r) => ({ id: r.id, username: r.username, name: displayName(r) })), [dm]);
  return (
    <>
      <DmSidebar drawer={nav} />
      <main id="main" tabIndex={-1} className="flex min-w-0 flex-1 flex-col focus:outline-none">
        <header className="@container relative flex h-12 shrink-0 items-center gap-2 border-b border-zinc-200 px-4 shadow-sm dark:border-black/30">
          <button
            type="button"
            id={nav.buttonId}
            aria-label="Conversations"
            aria-expanded={nav.open}
            onClick={nav.toggle}
            className="rounded px-1 text-xl md:hidden"
          >
            ☰
          </button>
          <h1 title={title} className="min-w-12 shrink-100 truncate font-semibold max-sm:shrink">
            <span aria-hidden="true" className="text-zinc-500">
              @
            </span>{' '}
            {title}
          </h1>
          <div className="ml-auto flex items-center gap-2 max-sm:grow">
            {dm && <CallButton dm={dm} />}
            {dm && (
              <NotificationBell
                channel={{ id: dm.id, name: 'this conversation' }}
                control={panels('notifications')}
                className={BESIDE_MENU}
              />
            )}
            {dm && (
              <PinnedMessages
                channelId={dm.id}
                linkTo={(id) => `/channels/@me/${dm.id}/${id}`}
                canPin
                names={{ nameOf: (id) => members.find((m) => m.id === id)?.name ?? 'unknown user' }}
                control={panels('pins')}
                className={BESIDE_MENU}
              />
            )}
            {dm?.type === 'group_dm' && (
              <SidePanelButton
                label="Group members"
                title={`Members — ${dm.recipients.length}`}
                control={panels('members')}
                className={BESIDE_MENU}
              >
                {(close) => <GroupMembers dm={dm} myId={me?.id} onNavigate={close} />}
              </SidePanelButton>
            )}
            {dm && (
              <HeaderMenu
                items={[
                  bellItem,
                  { label: 'Pinned messages', icon: <PinIcon />, control: panels('pins') },
                  dm.type === 'group_dm' && { label: 'Group members', icon: <UsersIcon />, control: panels('members') },
                ]}
              />
            )}
            {search.box}
          </div>
        </header>
        {dm && <CallBar dm={dm} myId={me?.id} />}
        {dm && <CallVideos dm={dm} myId={me?.id} />}
        {dm ? (
          <ChannelView
            key={dm.id}
            channelId={dm.id}
            target={messageId}
            label={`Message @${title}`}
            members={members}
            canManage={false}
            canPin
            header={
              <div className="px-4 pt-8 pb-2 break-words">
                <h2 className="text-2xl font-bold">{title}</h2>
                <p className="text-sm text-zinc-600 dark:text-zinc-400">This is the beginning of your conversation.</p>
              </div>
            }
          />
        ) : isPending ? (
          <MessageSkeleton />
        ) : (
          <p className="p-8 text-center text-zinc-600 dark:text-zinc-400">This conversation does not exist or you are not in it.</p>
        )}
      </main>
      {dm?.type === 'group_dm' && (
        <SidePanel label="Group members" title={`Members — ${dm.recipients.length}`}>
          <GroupMembers dm={dm} myId={me?.id} />
        </SidePanel>
      )}
      {search.panel}
    </>
  );
}

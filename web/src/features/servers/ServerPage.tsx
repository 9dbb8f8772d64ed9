import { useMemo, useState } from 'react';
import { Link, Navigate, NavLink, useParams } from 'react-router';
import { Banner } from '../../ui/Banner';
import { useOpenWhile, type Drawer } from '../../ui/useOpenWhile';
import { ListSkeleton, MessageSkeleton } from '../../ui/Skeleton';
import { usePageTitle } from '../../ui/usePageTitle';
import { useMe } from '../auth/queries';
import type { ReadStates } from '../gateway/cache';
import { useConnectionStatus, useGateway, useReadStates } from '../gateway/context';
import type { ReadyChannel, ReadyServer } from '../gateway/protocol';
import { Sidebar } from '../home/Sidebar';
import { ChannelView } from '../messages/ChannelView';
import { unreadOf } from '../messages/unread';
import { useServerSearchSources } from '../search/sources';
import { useSearchUi } from '../search/useSearchUi';
import { VoiceChannelEntry } from '../voice/VoiceChannelEntry';
import { VoiceChannelPage } from '../voice/VoiceChannelPage';
import { displayName } from '../users/displayName';
import { PinnedMessages } from '../messages/PinnedMessages';
import { NotificationBell, useNotificationMenuItem } from '../notifications/RuleEditor';
import { BESIDE_MENU, HeaderMenu, useHeaderPanels } from '../../ui/HeaderMenu';
import { PinIcon, UsersIcon } from '../../ui/icons';
import { ChannelName } from './ChannelName';
import { MemberList } from './MemberList';
import { SidePanel, SidePanelButton } from '../../ui/SidePanel';
import { memberColor } from './roles/roleColors';
import { has, P, serverPermissions } from './permissions';
import { useServerMentionNames } from './mentionNames';
import { removalNotice } from './moderation';
import { useMembers, useRemoval, useRoles, useServers } from './queries';
import { useServerNow } from './useServerNow';
import { LeaveServerDialog } from './settings/ServerDialogs';
import { channelGroups, channelOrder } from '../navigation/destinations';

function ChannelLink({ serverId, channel, readStates }: { serverId: string; channel: ReadyChannel; readStates: ReadStates }) {
  if (channel.type === 'voice') return <VoiceChannelEntry serverId={serverId} channel={channel} />;
  return <TextChannelLink serverId={serverId} channel={channel} readStates={readStates} />;
}

function TextChannelLink({ serverId, channel, readStates }: { serverId: string; channel: ReadyChannel; readStates: ReadStates }) {
  const { unread, mentions } = unreadOf(channel.id, channel.lastMessageId, readStates);
  return (
    <NavLink
      to={`/servers/${serverId}/channels/${channel.id}`}
      aria-label={`${channel.name}${mentions ? `, ${mentions} mention${mentions > 1 ? 's' : ''}` : unread ? ', unread' : ''}`}
      className={({ isActive }) =>
        `flex items-center gap-1.5 rounded-md px-2 py-1.5 text-[15px] ${isActive ? 'bg-zinc-300/70 text-zinc-900 dark:bg-zinc-700/60 dark:text-white' : unread ? 'font-semibold text-zinc-900 dark:text-white' : 'text-zinc-700 hover:bg-zinc-300/40 dark:text-zinc-300 dark:hover:bg-zinc-700/30'}`
      }
    >
      <span aria-hidden="true" className="text-zinc-500">
        {channel.type === 'voice' ? '🔊' : '#'}
      </span>
      <span className="min-w-0 flex-1 truncate">{channel.name}</span>
      {mentions > 0 && (
        <span aria-hidden="true" className="rounded-full bg-red-600 px-1.5 text-xs font-bold text-white">
          {mentions}
        </span>
      )}
      {unread && !mentions && <span aria-hidden="true" className="size-2 rounded-full bg-zinc-800 dark:bg-white" />}
    </NavLink>
  );
}

function ChannelSidebar({
  server,
  readStates,
  canManage,
  drawer,
  myId,
}: {
  server: ReadyServer;
  readStates: ReadStates;
  canManage: boolean;
  drawer: Drawer;
  myId: string | undefined;
}) {
  const { loose, categories } = channelGroups(server.channels);
  const [leaving, setLeaving] = useState(false);
  return (
    <Sidebar
      label="Channels"
      drawer={drawer}
      banner={<Banner url={server.bannerUrl} alt={`Banner of ${server.name}`} />}
      header={<h2 className="truncate font-semibold">{server.name}</h2>}
    >
      <div className="mb-2 flex flex-wrap gap-1 px-1">
        <Link to={`/servers/${server.id}/settings`} className="rounded bg-zinc-300/60 px-2 py-0.5 text-xs font-medium dark:bg-zinc-700/60">
          {canManage ? 'Server settings' : 'Invite & info'}
        </Link>
        <button
          type="button"
          onClick={() => setLeaving(true)}
          className="rounded px-2 py-0.5 text-xs text-red-700 hover:bg-red-100 dark:text-red-400 dark:hover:bg-red-950"
        >
          Leave server
        </button>
      </div>
      {leaving && <LeaveServerDialog server={server} isOwner={server.ownerId === myId} myId={myId} onClose={() => setLeaving(false)} />}
      <nav aria-label="Channel list">
        {loose.map((c) => (
          <ChannelLink key={c.id} serverId={server.id} channel={c} readStates={readStates} />
        ))}
        {categories.map(({ category, channels }) => (
          <section key={category.id} aria-label={category.name ?? 'Category'} className="mt-3">
            {/* One line, as Discord: a name at its maximum wrapped to five. The whole name is its tooltip, and is read out. */}
            <h3
              title={category.name ?? undefined}
              className="truncate px-2 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400"
            >
              {category.name}
            </h3>
            {channels.map((c) => (
              <ChannelLink key={c.id} serverId={server.id} channel={c} readStates={readStates} />
            ))}
          </section>
        ))}
      </nav>
    </Sidebar>
  );
}

/** A server: its channels on the left, the open channel, and its members on the right. */
export default function ServerPage() {
  const { serverId = '', channelId, messageId } = useParams();
  const servers = useServers();
  const { data: me } = useMe();
  const readStates = useReadStates();
  const server = useServerNow(
    servers.find((s) => s.id === serverId),
    me?.id,
  );
  const removal = useRemoval(serverId);
  const channel = server?.channels.find((c) => c.id === channelId);
  const { data: members = [] } = useMembers(server ? serverId : undefined);
  const { data: roles } = useRoles(server ? serverId : '');
  const mentionable = useMemo(
    () => members.map((m) => ({ id: m.userId, username: m.username, name: displayName(m), color: memberColor(m.roles, roles ?? []) })),
    [members, roles],
  );
  const permissions = serverPermissions(server, me?.id);
  const { roleOf, channelOf } = useServerMentionNames(server);
  const myRoles = members.find((m) => m.userId === me?.id)?.roles;
  const myRoleIds = useMemo(() => new Set(myRoles ?? []), [myRoles]);
  useConnectionStatus();
  const gateway = useGateway();
  const known = gateway.ready;
  const nav = useOpenWhile(channelId ?? '');
  const search = useSearchUi(useServerSearchSources(server, members, { roleOf, channelOf }));
  const panels = useHeaderPanels<'notifications' | 'pins' | 'members'>();
  const bellItem = useNotificationMenuItem(channel?.id ?? '', serverId, panels('notifications'));
  usePageTitle(channel ? `#${channel.name} · ${server?.name}` : (server?.name ?? 'Server'));

  if (!server && !known) {
    // The first Ready has not come yet: show the page's shape, not a blank.
    return (
      <>
        <Sidebar label="Channels" header={<span className="sr-only">Server</span>}>
          <ListSkeleton label="Loading channels…" />
        </Sidebar>
        <main id="main" tabIndex={-1} className="flex min-w-0 flex-1 flex-col focus:outline-none">
          <header className="h-12 shrink-0 border-b border-zinc-200 dark:border-black/30" />
          <MessageSkeleton />
        </main>
      </>
    );
  }
  if (!server) {
    const notice = removal && removalNotice(removal);
    return (
      <main id="main" className="flex flex-1 flex-col items-center justify-center gap-2 p-8 text-center">
        <h1 className="text-xl font-semibold">{notice ? notice.title : 'Server not found'}</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{notice ? notice.detail : 'You may not be a member of this server.'}</p>
        <Link to="/" className="text-blue-700 underline dark:text-sky-400">
          Go home
        </Link>
      </main>
    );
  }
  // The first text channel as the sidebar lists them.
  const firstText = channelOrder(server)[0];
  if (!channelId && firstText) return <Navigate to={`/servers/${serverId}/channels/${firstText.id}`} replace />;
  const canPin = !!channel && (has(channel.permissions, P.PIN_MESSAGES) || has(channel.permissions, P.MANAGE_MESSAGES));
  const canManage =
    has(permissions, P.MANAGE_SERVER) ||
    has(permissions, P.MANAGE_CHANNELS) ||
    has(permissions, P.MANAGE_ROLES) ||
    has(permissions, P.VIEW_AUDIT_LOG);

  const memberList = (onNavigate?: () => void) => (
    <MemberList
      serverId={serverId}
      serverName={server.name}
      members={members}
      ownerId={server.ownerId}
      myId={me?.id}
      permissions={permissions}
      onNavigate={onNavigate}
    />
  );
  const membersTitle = `Members — ${members.length}`;

  return (
    <>
      <ChannelSidebar server={server} readStates={readStates} canManage={canManage} drawer={nav} myId={me?.id} />
      <main id="main" tabIndex={-1} className="flex min-w-0 flex-1 flex-col focus:outline-none">
        <header className="@container relative flex h-12 shrink-0 items-center gap-2 border-b border-zinc-200 px-4 shadow-sm dark:border-black/30">
          <button
            type="button"
            id={nav.buttonId}
            aria-label="Channels"
            aria-expanded={nav.open}
            onClick={nav.toggle}
            className="rounded px-1 text-xl md:hidden"
          >
            ☰
          </button>
          <ChannelName channel={channel} />
          {/* Not in a narrow header (a phone, a tablet), where it got a sliver and the name lost that room: the name's
              button opens it there. */}
          {channel?.topic && (
            <p
              title={channel.topic}
              className="min-w-0 shrink-100 truncate border-l @max-xl:hidden border-zinc-300 pl-2 text-sm text-zinc-600 dark:border-zinc-600 dark:text-zinc-400"
            >
              {channel.topic}
            </p>
          )}
          <div className="ml-auto flex items-center gap-2 max-sm:grow">
            {channel?.type === 'text' && (
              <NotificationBell
                channel={{ id: channel.id, name: `#${channel.name ?? 'channel'}` }}
                server={{ id: server.id, name: server.name }}
                control={panels('notifications')}
                className={BESIDE_MENU}
              />
            )}
            {channel?.type === 'text' && (
              <PinnedMessages
                channelId={channel.id}
                linkTo={(id) => `/servers/${serverId}/channels/${channel.id}/${id}`}
                canPin={canPin}
                names={{ nameOf: (id) => mentionable.find((m) => m.id === id)?.name ?? 'unknown user', roleOf, channelOf }}
                control={panels('pins')}
                className={BESIDE_MENU}
              />
            )}
            <SidePanelButton label="Members" title={membersTitle} control={panels('members')} className={BESIDE_MENU}>
              {memberList}
            </SidePanelButton>
            <HeaderMenu
              items={[
                channel?.type === 'text' && bellItem,
                channel?.type === 'text' && { label: 'Pinned messages', icon: <PinIcon />, control: panels('pins') },
                { label: 'Members', icon: <UsersIcon />, control: panels('members') },
              ]}
            />
            {search.box}
          </div>
        </header>
        {channel && channel.type === 'text' ? (
          <ChannelView
            key={channel.id}
            channelId={channel.id}
            target={messageId}
            label={`Message #${channel.name}`}
            members={mentionable}
            roleOf={roleOf}
            channelOf={channelOf}
            myRoleIds={myRoleIds}
            canManage={has(channel.permissions, P.MANAGE_MESSAGES)}
            canPin={canPin}
            timedOutUntil={members.find((m) => m.userId === me?.id)?.timedOutUntil}
            header={
              <div className="px-4 pt-8 pb-2 break-words">
                <h2 className="text-2xl font-bold">Welcome to #{channel.name}!</h2>
                <p className="text-sm text-zinc-600 dark:text-zinc-400">This is the start of the #{channel.name} channel.</p>
              </div>
            }
          />
        ) : channel?.type === 'voice' ? (
          <VoiceChannelPage serverId={server.id} channel={channel} />
        ) : (
          <p className="p-8 text-center text-zinc-600 dark:text-zinc-400">
            {channelId ? 'This channel does not exist or you cannot see it.' : 'This server has no text channels yet.'}
          </p>
        )}
      </main>
      {search.panel || (
        <SidePanel label="Members" title={membersTitle}>
          {memberList()}
        </SidePanel>
      )}
    </>
  );
}

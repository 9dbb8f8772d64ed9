import type { ReactNode } from 'react';
import { Link, Navigate, NavLink, useParams } from 'react-router';
import { usePageTitle } from '../../ui/usePageTitle';
import { useMe } from '../auth/queries';
import type { ReadyServer } from '../gateway/protocol';
import { AuditLogSection } from './AuditLogSection';
import { has, P, serverPermissions } from './permissions';
import { useServers } from './queries';
import { useServerNow } from './useServerNow';
import { BansSection } from './settings/BansSection';
import { ChannelsSection } from './settings/ChannelsSection';
import { InvitesSection } from './settings/InvitesSection';
import { MembersSection } from './settings/MembersSection';
import { OverviewSection } from './settings/OverviewSection';
import { RolesSection } from './roles/RolesSection';
import { section } from './settings/styles';

interface SectionContext {
  server: ReadyServer;
  myId: string | undefined;
  isOwner: boolean;
  permissions: string;
}

interface SettingsSection {
  /** The last part of the address: /servers/:id/settings/<path>. */
  path: string;
  label: string;
  visible: (c: SectionContext) => boolean;
  render: (c: SectionContext) => ReactNode;
}

/** The side list, in order; a new section is one entry here. Each shows only to those who may use it. */
const SECTIONS: SettingsSection[] = [
  {
    path: 'overview',
    label: 'Overview',
    visible: (c) => c.isOwner || has(c.permissions, P.MANAGE_SERVER),
    render: (c) => (
      <OverviewSection serverId={c.server.id} isOwner={c.isOwner} canEdit={has(c.permissions, P.MANAGE_SERVER)} myId={c.myId} />
    ),
  },
  {
    path: 'channels',
    label: 'Channels',
    visible: (c) => has(c.permissions, P.MANAGE_CHANNELS),
    render: (c) => <ChannelsSection serverId={c.server.id} channels={c.server.channels} />,
  },
  {
    path: 'roles',
    label: 'Roles',
    visible: (c) => has(c.permissions, P.MANAGE_ROLES),
    render: (c) => <RolesSection serverId={c.server.id} />,
  },
  {
    path: 'members',
    label: 'Members',
    visible: (c) => [P.KICK_MEMBERS, P.BAN_MEMBERS, P.MODERATE_MEMBERS, P.MANAGE_ROLES].some((bit) => has(c.permissions, bit)),
    render: (c) => (
      <MembersSection
        serverId={c.server.id}
        serverName={c.server.name}
        ownerId={c.server.ownerId}
        myId={c.myId}
        permissions={c.permissions}
      />
    ),
  },
  {
    path: 'bans',
    label: 'Bans',
    visible: (c) => has(c.permissions, P.BAN_MEMBERS),
    render: (c) => <BansSection serverId={c.server.id} />,
  },
  {
    path: 'invites',
    label: 'Invites',
    visible: (c) => has(c.permissions, P.CREATE_INVITE) || has(c.permissions, P.MANAGE_SERVER),
    render: (c) => <InvitesSection serverId={c.server.id} canManage={has(c.permissions, P.MANAGE_SERVER)} />,
  },
  {
    path: 'audit-log',
    label: 'Audit log',
    visible: (c) => has(c.permissions, P.VIEW_AUDIT_LOG),
    render: (c) => <AuditLogSection serverId={c.server.id} className={section} />,
  },
];

/** A server's settings: a list of sections on the left (a strip on top on small screens) and the chosen one. */
export default function ServerSettings() {
  const { serverId = '', section: path } = useParams();
  const { data: me } = useMe();
  const server = useServerNow(
    useServers().find((s) => s.id === serverId),
    me?.id,
  );
  const current = SECTIONS.find((s) => s.path === path);
  usePageTitle(server ? `${current?.label ?? 'Settings'} · ${server.name} settings` : 'Server settings');
  if (!server)
    return (
      <main id="main" className="flex-1 p-8">
        Server not found.
      </main>
    );
  const context: SectionContext = {
    server,
    myId: me?.id,
    isOwner: server.ownerId === me?.id,
    permissions: serverPermissions(server, me?.id),
  };
  const visible = SECTIONS.filter((s) => s.visible(context));
  if (!current || !current.visible(context)) {
    const first = visible[0];
    return first ? <Navigate to={`/servers/${serverId}/settings/${first.path}`} replace /> : <NothingToManage serverId={serverId} />;
  }
  return (
    <div className="flex min-w-0 flex-1 flex-col md:flex-row">
      <nav aria-label="Server settings" className="shrink-0 bg-side p-3 md:w-60 md:overflow-y-auto md:py-10 dark:bg-side-dark">
        <h2 className="hidden truncate px-2.5 pb-1 pt-3 text-xs font-bold uppercase tracking-wide text-zinc-600 md:block dark:text-zinc-400">
          {server.name}
        </h2>
        <ul className="flex gap-1 overflow-x-auto md:flex-col md:gap-0.5">
          {visible.map((s) => (
            <li key={s.path}>
              <NavLink
                to={`/servers/${serverId}/settings/${s.path}`}
                className={({ isActive }) =>
                  `block whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm font-medium ${
                    isActive
                      ? 'bg-zinc-300/70 text-zinc-900 dark:bg-zinc-600/50 dark:text-white'
                      : 'text-zinc-700 hover:bg-zinc-300/40 dark:text-zinc-300 dark:hover:bg-zinc-700/40'
                  }`
                }
              >
                {s.label}
              </NavLink>
            </li>
          ))}
          <li className="md:mt-3 md:border-t md:border-zinc-300 md:pt-3 dark:md:border-zinc-700">
            <Link to={`/servers/${serverId}`} className="block whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm font-medium underline">
              Back to chat
            </Link>
          </li>
        </ul>
      </nav>
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 overflow-y-auto px-4 py-6 focus:outline-none md:px-10 md:py-10">
        <div className="flex max-w-3xl flex-col gap-4">
          <h1 className="text-xl font-semibold">
            {current.label} <span className="sr-only">· {server.name} settings</span>
          </h1>
          {current.render(context)}
        </div>
      </main>
    </div>
  );
}

function NothingToManage({ serverId }: { serverId: string }) {
  return (
    <main id="main" className="flex flex-1 flex-col items-center justify-center gap-2 p-8 text-center">
      <h1 className="text-xl font-semibold">Nothing to manage here</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">Your roles in this server do not include any settings.</p>
      <Link to={`/servers/${serverId}`} className="text-blue-700 underline dark:text-sky-400">
        Back to chat
      </Link>
    </main>
  );
}

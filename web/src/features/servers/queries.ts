import { queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Member } from '../../api/types';
import { reasonHeaders, type Removal } from './moderation';
import { useCached, useGateway } from '../gateway/context';
import type { ReadyServer } from '../gateway/protocol';
import { addChannel, removeChannel, removeServer } from './serverList';

export const serverKeys = {
  /** My servers with the channels I can see: seeded by Ready, kept current by events (never fetched over REST). */
  list: ['gateway', 'servers'] as const,
  /** My servers as the REST API lists them, for pages that do not need the gateway's live list. */
  joined: ['users', '@me', 'servers'] as const,
  /** Why I am no longer in a server I was in (kicked or banned), by server id, from ServerRemoved events. */
  removals: ['gateway', 'removals'] as const,
};
export const memberKeys = {
  list: (serverId: string) => ['members', serverId] as const,
};
export const roleKeys = {
  list: (serverId: string) => ['roles', serverId] as const,
};
export const auditKeys = {
  list: (serverId: string, filters: AuditFilters) => ['audit-log', serverId, filters] as const,
  all: (serverId: string) => ['audit-log', serverId] as const,
};
export const inviteKeys = {
  preview: (code: string) => ['invite', code] as const,
};

export function useServers() {
  return useCached<ReadyServer[]>(serverKeys.list, []);
}

/** How my membership of a server ended, when the gateway told us during this session. */
export function useRemoval(serverId: string): Removal | undefined {
  return useCached<Record<string, Removal>>(serverKeys.removals, {})[serverId];
}

export function useJoinedServers() {
  return useQuery({ queryKey: serverKeys.joined, queryFn: () => unwrap(api.GET('/api/v1/users/@me/servers')) });
}

const patchServers = (qc: QueryClient, fn: (servers: ReadyServer[]) => ReadyServer[]) =>
  qc.setQueryData<ReadyServer[]>(serverKeys.list, (old) => (old ? fn(old) : old));

/** A new server, or one joined: the fresh Ready that follows brings its channels and our permissions there. */
export function useCreateServerMutation() {
  const gateway = useGateway();
  return useMutation({
    mutationFn: (name: string) => unwrap(api.POST('/api/v1/servers', { body: { name, description: null, iconUrl: null } })),
    onSuccess: () => gateway.scheduleFreshReady(),
  });
}

export function useLeaveServerMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (serverId: string) => unwrap(api.DELETE('/api/v1/servers/{id}/members/@me', { params: { path: { id: serverId } } })),
    onSuccess: (_result, serverId) => patchServers(qc, (servers) => removeServer(servers, serverId)),
  });
}

export function useInvitePreview(code: string) {
  return useQuery({
    queryKey: inviteKeys.preview(code),
    queryFn: () => unwrap(api.GET('/api/v1/invites/{code}', { params: { path: { code } } })),
  });
}

export function useJoinServerMutation() {
  const gateway = useGateway();
  return useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/api/v1/invites/{code}/join', { params: { path: { code } } })),
    onSuccess: () => gateway.scheduleFreshReady(),
  });
}

/** A week-long invite without a use limit, the one the settings page offers. */
export function useCreateInviteMutation(serverId: string) {
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/servers/{id}/invites', {
          params: { path: { id: serverId } },
          body: { maxUses: 0, maxAgeSeconds: 604800, temporary: false },
        }),
      ),
  });
}

// Channel changes patch the server list with the same updates the gateway applies for their events.

export interface NewChannel {
  name: string;
  type: string;
  parentId?: string | null;
  /** Set with the channel in one change (a private channel is never visible to others, not even for a moment). */
  permissionOverwrites?: { targetType: 'role' | 'member'; targetId: string; allow: string; deny: string }[];
}

export function useCreateChannelMutation(serverId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ name, type, parentId = null, permissionOverwrites = [] }: NewChannel) =>
      unwrap(
        api.POST('/api/v1/servers/{id}/channels', {
          params: { path: { id: serverId } },
          body: { name, type, topic: null, parentId, slowModeSeconds: 0, permissionOverwrites, userLimit: 0 },
        }),
      ),
    onSuccess: (channel) => patchServers(qc, (servers) => addChannel(servers, channel)),
  });
}

export function useDeleteChannelMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (channelId: string) => unwrap(api.DELETE('/api/v1/channels/{id}', { params: { path: { id: channelId } } })),
    onSuccess: (_result, channelId) => patchServers(qc, (servers) => removeChannel(servers, channelId)),
  });
}

/** Every member of a server (up to 1,000), a page of 100 at a time. */
export async function fetchAllMembers(serverId: string) {
  const all: Member[] = [];
  let after: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page = await unwrap(
      api.GET('/api/v1/servers/{id}/members', {
        params: { path: { id: serverId }, query: { limit: 100, ...(after ? { after } : {}) } },
      }),
    );
    all.push(...page);
    if (page.length < 100) break;
    after = page[page.length - 1]!.userId;
  }
  return all;
}

/** Every member of a server (up to 1,000), kept current by MemberJoined/Updated/Left events. */
export function useMembers(serverId: string | undefined) {
  return useQuery({
    queryKey: memberKeys.list(serverId ?? ''),
    enabled: !!serverId,
    staleTime: Infinity,
    queryFn: () => fetchAllMembers(serverId!),
  });
}

const dropMember = (qc: QueryClient, serverId: string, userId: string) =>
  qc.setQueryData<Member[]>(memberKeys.list(serverId), (old) => old?.filter((m) => m.userId !== userId));

/** Kicks with an optional reason (the audit log keeps it, and the kicked member is told it). */
export function useKickMemberMutation(serverId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, reason }: { userId: string; reason: string }) =>
      unwrap(
        api.DELETE('/api/v1/servers/{id}/members/{userId}', {
          params: { path: { id: serverId, userId } },
          headers: reasonHeaders(reason),
        }),
      ),
    onSuccess: (_result, { userId }) => {
      dropMember(qc, serverId, userId);
      void qc.invalidateQueries({ queryKey: auditKeys.all(serverId) });
    },
  });
}

/** Bans with an optional reason, removing the user's messages of the last `deleteMessageSeconds` too. */
export function useBanMemberMutation(serverId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, reason, deleteMessageSeconds }: { userId: string; reason: string; deleteMessageSeconds: number }) =>
      unwrap(
        api.PUT('/api/v1/servers/{id}/bans/{userId}', {
          params: { path: { id: serverId, userId } },
          body: { reason: reason.trim() || null, deleteMessageSeconds },
        }),
      ),
    onSuccess: (_result, { userId }) => {
      dropMember(qc, serverId, userId);
      void qc.invalidateQueries({ queryKey: auditKeys.all(serverId) });
    },
  });
}

/** Times a member out until `until` (null lifts it); the member list follows from the response and the MemberUpdated event. */
export function useTimeoutMemberMutation(serverId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, until, reason }: { userId: string; until: string | null; reason: string }) => {
      const path = { params: { path: { id: serverId, userId } }, headers: reasonHeaders(reason) };
      return unwrap(
        until
          ? api.PUT('/api/v1/servers/{id}/members/{userId}/timeout', { ...path, body: { until } })
          : api.DELETE('/api/v1/servers/{id}/members/{userId}/timeout', path),
      );
    },
    onSuccess: (member) => {
      qc.setQueryData<Member[]>(memberKeys.list(serverId), (old) => old?.map((m) => (m.userId === member.userId ? member : m)));
      void qc.invalidateQueries({ queryKey: auditKeys.all(serverId) });
    },
  });
}

export interface AuditFilters {
  userId?: string | undefined;
  action?: string | undefined;
}

/** Entries per page of the audit log; a page this full may have older ones behind it. */
export const AUDIT_PAGE_SIZE = 50;

/** The audit log entries matching the filters, newest first, a page at a time going back with `before`. */
export function useAuditLog(serverId: string, filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(serverId, filters),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/servers/{id}/audit-log', {
          params: {
            path: { id: serverId },
            query: {
              limit: AUDIT_PAGE_SIZE,
              ...(pageParam ? { before: pageParam } : {}),
              ...(filters.userId ? { userId: filters.userId } : {}),
              ...(filters.action ? { action: filters.action } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => (last.entries.length < AUDIT_PAGE_SIZE ? undefined : last.entries.at(-1)?.id),
  });
}

/** A server's roles, for useRoles and for code outside React (a pop-up naming a role mention). */
export const rolesQuery = (serverId: string) =>
  queryOptions({
    queryKey: roleKeys.list(serverId),
    queryFn: () => unwrap(api.GET('/api/v1/servers/{id}/roles', { params: { path: { id: serverId } } })),
  });

/**
 * The roles the signed-in user holds in a server, for code outside React (does a role mention reach me?): from the
 * member list when loaded (kept current by events), else their own member record.
 */
export async function myRoleIdsIn(qc: QueryClient, serverId: string, myId: string): Promise<ReadonlySet<string>> {
  const loaded = qc.getQueryData<Member[]>(memberKeys.list(serverId))?.find((m) => m.userId === myId);
  const me =
    loaded ?? (await unwrap(api.GET('/api/v1/servers/{id}/members/{userId}', { params: { path: { id: serverId, userId: myId } } })));
  return new Set(me.roles);
}

export function useRoles(serverId: string) {
  return useQuery({ ...rolesQuery(serverId), enabled: !!serverId });
}

export interface RoleFields {
  name: string;
  permissions: bigint;
  color: number;
  hoist: boolean;
  mentionable: boolean;
}

export function useCreateRoleMutation(serverId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({
      name,
      permissions,
      color = 0,
      hoist = false,
      mentionable = false,
    }: Partial<RoleFields> & { name: string; permissions: bigint }) =>
      unwrap(
        api.POST('/api/v1/servers/{id}/roles', {
          params: { path: { id: serverId } },
          body: { name, permissions: permissions.toString(), color, mentionable, hoist },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: roleKeys.list(serverId) }),
  });
}

export function useUpdateRoleMutation(serverId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ roleId, fields }: { roleId: string; fields: RoleFields }) =>
      unwrap(
        api.PATCH('/api/v1/servers/{id}/roles/{roleId}', {
          params: { path: { id: serverId, roleId } },
          body: { ...fields, permissions: fields.permissions.toString() },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: roleKeys.list(serverId) }),
  });
}

export function useDeleteRoleMutation(serverId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (roleId: string) =>
      unwrap(api.DELETE('/api/v1/servers/{id}/roles/{roleId}', { params: { path: { id: serverId, roleId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: roleKeys.list(serverId) }),
  });
}

/** Sends new positions; the answer is every role, renumbered, which replaces the cached list at once. */
export function useReorderRolesMutation(serverId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (positions: { id: string; position: number }[]) =>
      unwrap(api.PATCH('/api/v1/servers/{id}/roles/positions', { params: { path: { id: serverId } }, body: positions })),
    onSuccess: (roles) => qc.setQueryData(roleKeys.list(serverId), roles),
  });
}

/** Gives a member a role; the MemberUpdated event that follows updates the member list. */
export function useAssignRoleMutation(serverId: string) {
  return useMutation({
    mutationFn: ({ userId, roleId }: { userId: string; roleId: string }) =>
      unwrap(
        api.PUT('/api/v1/servers/{id}/members/{userId}/roles/{roleId}', {
          params: { path: { id: serverId, userId, roleId } },
        }),
      ),
  });
}

import type { QueryClient } from '@tanstack/react-query';
import type { Channel, DmChannel, Member, Message, ReadState, Relationship } from '../../api/types';
import { relationshipKeys, removeRelationship, upsertRelationship } from '../friends/queries';
import { dmKeys, sortDms, upsertDm } from '../dms/queries';
import { messageKeys } from '../messages/queries';
import { notificationKeys } from '../notifications/queries';
import { fromServer as notificationSettingsFromServer } from '../notifications/settings';
import type { Removal } from '../servers/moderation';
import { memberKeys, roleKeys, serverKeys } from '../servers/queries';
import {
  addChannel,
  addJoinedServer,
  removeChannel,
  removeServer,
  updateChannel,
  updateChannelIn,
  updateServer,
} from '../servers/serverList';
import { gatewayKeys } from './context';
import { applyChannelEvent, compareIds, type MessagePage } from './messageStore';
import type { DmCallState, GatewayEvent, ReadyPayload, ReadyReadState, ReadyServer, ServerView, VoiceState } from './protocol';

export type ReadStates = Record<string, ReadyReadState>;
export type Presences = Record<string, string>;
/** Voice state by user id (only users in a voice channel). */
export type VoiceStates = Record<string, VoiceState>;
/**
 * The call (`callId`) of each user whose end we applied. A call's leave and the announcement of that user's next call
 * travel separately, so either may arrive first; and an update of a call can still arrive after its leave.
 */
export type EndedCalls = Map<string, string>;

/**
 * A VoiceState applied to the voice states, or null when it is stale: it belongs to an older call than the one shown
 * for its user (a late leave never removes the rejoin that overtook it), or to a call whose end was already applied (a
 * late update never brings back someone who left). Records the ended call in `ended`.
 */
export function applyVoiceState(states: VoiceStates, ended: EndedCalls, v: VoiceState): VoiceStates | null {
  // A node older than call ids (during an upgrade) sends none: such a state is applied as it comes, as before.
  const known = (callId: string | undefined): callId is string => !!callId && callId !== '0';
  const shown = states[v.userId];
  if (known(v.callId)) {
    if (shown && known(shown.callId) && compareIds(v.callId, shown.callId) < 0) return null;
    const lastEnded = ended.get(v.userId);
    if (lastEnded !== undefined && compareIds(v.callId, lastEnded) <= 0) return null;
  }
  const next = { ...states };
  if (v.channelId) next[v.userId] = v;
  else {
    delete next[v.userId];
    if (known(v.callId)) ended.set(v.userId, v.callId);
  }
  return next;
}

/** DM calls going on, by conversation id. */
export type DmCalls = Record<string, DmCallState>;
/** userId → when the indicator ends (ms). */
export type Typing = Record<string, number>;

export function seedFromReady(qc: QueryClient, ready: ReadyPayload) {
  qc.setQueryData(serverKeys.list, ready.servers);
  qc.setQueryData<ReadStates>(gatewayKeys.readStates, Object.fromEntries(ready.readStates.map((r) => [r.channelId, r])));
  qc.setQueryData<Presences>(gatewayKeys.presences, Object.fromEntries(ready.presences.map((p) => [p.userId, p.status])));
  qc.setQueryData<VoiceStates>(gatewayKeys.voiceStates, Object.fromEntries(ready.voiceStates.map((v) => [v.userId, v])));
  qc.setQueryData<DmCalls>(gatewayKeys.calls, Object.fromEntries(ready.calls.map((c) => [c.channelId, c])));
  // Ready lists DMs without their people: reload the list only when it holds other conversations than ours.
  const dms = qc.getQueryData<DmChannel[]>(dmKeys.list);
  const same = dms && dms.length === ready.directChannels.length && ready.directChannels.every((d) => dms.some((x) => x.id === d.id));
  if (!same) void qc.invalidateQueries({ queryKey: dmKeys.list });
  else
    qc.setQueryData<DmChannel[]>(
      dmKeys.list,
      sortDms(dms.map((x) => ({ ...x, lastMessageId: ready.directChannels.find((d) => d.id === x.id)?.lastMessageId ?? x.lastMessageId }))),
    );
}

/** What a server view changed: channels that appeared, that went away, and whether a voice channel's permissions moved. */
export interface ViewChange {
  shown: string[];
  hidden: string[];
  voice: boolean;
}

/**
 * Applies a server view (sent to us alone after a role, overwrite or member-role change): that server's channels and our
 * permissions there become the view's, as a fresh Ready would have them. A channel gone from it is hidden at once and
 * its loaded history dropped; one new in it shows at once, its history loaded over REST when opened.
 */
export function applyServerView(qc: QueryClient, view: ServerView): ViewChange {
  const change: ViewChange = { shown: [], hidden: [], voice: false };
  patchServers(qc, (servers) =>
    servers.map((s) => {
      if (s.id !== view.serverId) return s;
      const before = new Map(s.channels.map((c) => [c.id, c]));
      const after = new Set(view.channels.map((c) => c.id));
      change.hidden = s.channels.filter((c) => !after.has(c.id)).map((c) => c.id);
      change.shown = view.channels.filter((c) => !before.has(c.id)).map((c) => c.id);
      change.voice = [...s.channels, ...view.channels].some(
        (c) => c.type === 'voice' && before.get(c.id)?.permissions !== view.channels.find((x) => x.id === c.id)?.permissions,
      );
      return { ...s, channels: view.channels };
    }),
  );
  for (const id of [...change.hidden, ...change.shown]) qc.removeQueries({ queryKey: messageKeys.list(id) });
  return change;
}

/**
 * Channel events that arrive while the channel's history is being (re)loaded: the REST answer may be older than
 * them, so they are applied again on top of it (creates, edits, deletes and pins are idempotent). One per gateway.
 */
export class HistoryLoads {
  private readonly during = new Map<string, { type: string; data: unknown }[]>();

  begin(channelId: string) {
    this.during.set(channelId, []);
  }

  /** Notes a channel event, if that channel is loading. */
  record(channelId: string, type: string, data: unknown) {
    this.during.get(channelId)?.push({ type, data });
  }

  end(channelId: string, page: MessagePage, myId: string | undefined): MessagePage {
    const events = this.during.get(channelId) ?? [];
    this.during.delete(channelId);
    return events.filter((e) => !e.type.startsWith('Reaction')).reduce((acc, e) => applyChannelEvent(acc, e.type, e.data, myId), page);
  }
}

function patchServers(qc: QueryClient, fn: (servers: ReadyServer[]) => ReadyServer[]) {
  qc.setQueryData<ReadyServer[]>(serverKeys.list, (old) => (old ? fn(old) : old));
}

function noteLastMessage(qc: QueryClient, message: Message, myId: string | undefined) {
  const later = (c: { lastMessageId: string | null }) => !c.lastMessageId || compareIds(message.id, c.lastMessageId) > 0;
  patchServers(qc, (servers) => updateChannelIn(servers, message.channelId, (c) => (later(c) ? { ...c, lastMessageId: message.id } : c)));
  qc.setQueryData<DmChannel[]>(dmKeys.list, (old) => {
    if (!old || !old.some((d) => d.id === message.channelId)) return old;
    const next = old.map((d) => (d.id === message.channelId && later(d) ? { ...d, lastMessageId: message.id } : d));
    return sortDms(next);
  });
  if (message.author.id === myId) {
    // What we write, we have read.
    setReadState(qc, { channelId: message.channelId, lastReadMessageId: message.id, mentionCount: 0 });
  } else if (myId && (message.mentions.includes(myId) || message.mentionsEveryone)) {
    qc.setQueryData<ReadStates>(gatewayKeys.readStates, (old) => {
      const current = old?.[message.channelId] ?? { channelId: message.channelId, lastReadMessageId: '0', mentionCount: 0 };
      return { ...old, [message.channelId]: { ...current, mentionCount: current.mentionCount + 1 } };
    });
  }
  // Their message ends their typing indicator.
  qc.setQueryData<Typing>(gatewayKeys.typing(message.channelId), (old) => {
    if (!old?.[message.author.id]) return old;
    const { [message.author.id]: _, ...rest } = old;
    return rest;
  });
}

export function setReadState(qc: QueryClient, state: ReadState) {
  qc.setQueryData<ReadStates>(gatewayKeys.readStates, (old) => {
    const current = old?.[state.channelId];
    if (current && compareIds(current.lastReadMessageId, state.lastReadMessageId) > 0) return old;
    return {
      ...old,
      [state.channelId]: {
        channelId: state.channelId,
        lastReadMessageId: state.lastReadMessageId,
        mentionCount: state.mentionCount,
      },
    };
  });
}

export interface ApplyHooks {
  myId: () => string | undefined;
  /** A structural change (joined a server) that Ready describes best: ask for a fresh Ready on this connection. */
  needFreshReady: () => void;
  /** The gateway's channel histories being loaded, which see channel events too. */
  loads: HistoryLoads;
}

/** Applies one event (already checked against its stream's cursor) to the query cache. */
export function applyEvent(qc: QueryClient, event: GatewayEvent, hooks: ApplyHooks) {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    return;
  }
  const myId = hooks.myId();
  if (event.scope === 'channel') {
    hooks.loads.record(event.scopeId, event.type, data);
    qc.setQueryData<MessagePage>(messageKeys.list(event.scopeId), (old) => (old ? applyChannelEvent(old, event.type, data, myId) : old));
    if (event.type === 'MessageCreated') noteLastMessage(qc, data as Message, myId);
    // A pin, an unpin, an edit or a deletion changes the pinned list; it refetches only while someone shows it.
    if (['MessagePinned', 'MessageUnpinned', 'MessageUpdated', 'MessageDeleted'].includes(event.type))
      void qc.invalidateQueries({ queryKey: messageKeys.pins(event.scopeId) });
    if (event.type === 'RecipientAdded' || event.type === 'RecipientRemoved') void qc.invalidateQueries({ queryKey: dmKeys.list });
    return;
  }
  switch (event.type) {
    case 'ChannelCreated':
      patchServers(qc, (servers) => addChannel(servers, data as Channel));
      return;
    case 'ChannelUpdated': {
      const channel = data as Channel;
      const known = qc.getQueryData<ReadyServer[]>(serverKeys.list)?.some((s) => s.channels.some((c) => c.id === channel.id));
      if (known) {
        patchServers(qc, (servers) => updateChannel(servers, channel));
        return;
      }
      // A channel we could not see became visible (an overwrite now lets us in): the server sends the update whole only
      // to those who may view it, after our new view of the server (applyServerView) with our permissions in it; so this
      // is a replay (Resume) of a channel the view has not listed. Hidden again, it arrives as ChannelDeleted.
      patchServers(qc, (servers) => addChannel(servers, channel));
      return;
    }
    case 'ChannelDeleted':
      patchServers(qc, (servers) => removeChannel(servers, (data as { id: string }).id));
      return;
    case 'ServerUpdated':
      patchServers(qc, (servers) =>
        updateServer(servers, data as { id: string; name: string; iconUrl: string | null; bannerUrl?: string | null; ownerId: string }),
      );
      return;
    case 'ServerDeleted':
      patchServers(qc, (servers) => removeServer(servers, (data as { serverId: string }).serverId));
      return;
    case 'ServerRemoved': {
      const removal = data as Removal;
      patchServers(qc, (servers) => removeServer(servers, removal.serverId));
      // Kept so the server's page can say "You were removed from …" instead of "not found".
      qc.setQueryData<Record<string, Removal>>(serverKeys.removals, (old) => ({ ...old, [removal.serverId]: removal }));
      return;
    }
    case 'MemberJoined':
    case 'MemberUpdated': {
      const m = data as Member;
      // Our own roles changing changes what we see: the server view that came before this event says how.
      qc.setQueryData<Member[]>(memberKeys.list(m.serverId), (old) => (old ? [...old.filter((x) => x.userId !== m.userId), m] : old));
      return;
    }
    case 'MemberLeft': {
      const m = data as { serverId: string; userId: string };
      qc.setQueryData<Member[]>(memberKeys.list(m.serverId), (old) => old?.filter((x) => x.userId !== m.userId));
      return;
    }
    case 'RoleCreated':
    case 'RoleUpdated':
    case 'RoleDeleted':
      // What the change means for us (channels, permissions) came before it as a server view, if anything.
      void qc.invalidateQueries({ queryKey: roleKeys.list(event.scopeId) });
      return;
    case 'ServerJoined':
      qc.setQueryData<Record<string, Removal>>(serverKeys.removals, (old) => {
        if (!old) return old;
        const { [(data as { id: string }).id]: _rejoined, ...rest } = old;
        return rest;
      });
      // Shown at once; the fresh Ready brings its channels and our permissions there.
      patchServers(qc, (servers) =>
        addJoinedServer(servers, data as { id: string; name: string; iconUrl: string | null; bannerUrl?: string | null; ownerId: string }),
      );
      hooks.needFreshReady();
      return;
    case 'DmChannelCreated':
    case 'DmChannelUpdated':
      upsertDm(qc, data as DmChannel);
      return;
    case 'DmChannelRemoved': {
      const { id } = data as { id: string };
      qc.setQueryData<DmChannel[]>(dmKeys.list, (old) => old?.filter((x) => x.id !== id));
      return;
    }
    case 'ReadStateUpdated':
      setReadState(qc, data as ReadState);
      return;
    case 'NotificationSettingsUpdated':
      // Changed on another device (or this one): every device applies the same levels and mutes at once.
      qc.setQueryData(notificationKeys.settings, notificationSettingsFromServer(data));
      return;
    case 'RelationshipUpdated': {
      const relationship = data as Relationship;
      upsertRelationship(qc, relationship);
      // A new friend's presence is in the list the server gives, not in the event.
      if (relationship.type === 'friend') void qc.invalidateQueries({ queryKey: relationshipKeys.list });
      return;
    }
    case 'RelationshipRemoved':
      removeRelationship(qc, (data as { id: string }).id);
      return;
    default:
  }
}

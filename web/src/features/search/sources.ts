import { useMemo } from 'react';
import type { DmChannel, Member, SearchHit } from '../../api/types';
import { dmTitle, useDms } from '../dms/queries';
import type { ReadyServer } from '../gateway/protocol';
import type { MentionNames } from '../messages/Markdown';
import { displayName } from '../users/displayName';
import type { SearchablePerson } from './SearchBox';
import type { SearchScope } from './queries';

/** What a search box and its results need from where they are: who and where to suggest, how to name and open a hit. */
export interface SearchSources {
  scope: SearchScope;
  placeholder: string;
  people: SearchablePerson[];
  channels: string[];
  channelName: (channelId: string) => string;
  linkTo: (hit: SearchHit) => string;
  /** How mentions read in a hit and the messages around it (@name, @role, #channel), as in the conversation. */
  names: MentionNames;
}

/** A server's search: its members for from:/mentions:, its text channels for in:. */
export function useServerSearchSources(
  server: ReadyServer | undefined,
  members: Member[],
  { roleOf, channelOf }: Pick<MentionNames, 'roleOf' | 'channelOf'>,
): SearchSources | null {
  return useMemo(() => {
    if (!server) return null;
    const names = new Map(server.channels.map((c) => [c.id, c.name ?? '']));
    return {
      scope: { kind: 'server', serverId: server.id },
      placeholder: `Search ${server.name}`,
      people: members.map((m) => ({ username: m.username, name: displayName(m) })),
      channels: server.channels.filter((c) => c.type === 'text' && c.name).map((c) => c.name!),
      channelName: (id) => (names.has(id) ? `#${names.get(id)}` : 'A channel you can no longer see'),
      linkTo: (hit) => `/servers/${server.id}/channels/${hit.message.channelId}/${hit.message.id}`,
      names: {
        nameOf: (id) => {
          const member = members.find((m) => m.userId === id);
          return member ? displayName(member) : 'unknown user';
        },
        roleOf,
        channelOf,
      },
    };
  }, [server, members, roleOf, channelOf]);
}

/** The DM search: everyone in my conversations for from:/mentions:, named group DMs for in:. */
export function useDmSearchSources(myId: string | undefined): SearchSources {
  const { data: dms } = useDms();
  return useMemo(() => {
    const list: DmChannel[] = dms ?? [];
    const people = new Map<string, SearchablePerson>();
    const names = new Map<string, string>();
    for (const dm of list)
      for (const r of dm.recipients) {
        names.set(r.id, displayName(r));
        if (r.id !== myId) people.set(r.id, { username: r.username, name: displayName(r) });
      }
    const titles = new Map(list.map((dm) => [dm.id, dmTitle(dm, myId)]));
    return {
      scope: { kind: 'dms' },
      placeholder: 'Search direct messages',
      people: [...people.values()],
      channels: list.filter((dm) => dm.name).map((dm) => dm.name!),
      channelName: (id) => titles.get(id) ?? 'A conversation you have left',
      linkTo: (hit) => `/channels/@me/${hit.message.channelId}/${hit.message.id}`,
      names: { nameOf: (id) => names.get(id) ?? 'unknown user' },
    };
  }, [dms, myId]);
}

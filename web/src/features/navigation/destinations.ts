import type { ReadStates } from '../gateway/cache';
import { unreadOf } from '../messages/unread';

/** Somewhere the quick switcher (Ctrl/Cmd+K) can take you. */
export interface Destination {
  kind: 'server' | 'channel' | 'dm' | 'person';
  id: string;
  label: string;
  /** What tells two of the same name apart: a channel's server, a person's username. */
  detail?: string;
  /** Where it opens; a person has none (the switcher opens a DM with them). */
  path?: string;
  unread: boolean;
  mentions: number;
}

interface ServerLike {
  id: string;
  name: string;
  channels: readonly {
    id: string;
    type: string;
    name?: string | null;
    position: number;
    parentId?: string | null;
    lastMessageId: string | null;
  }[];
}
interface DmLike {
  id: string;
  lastMessageId: string | null;
  title: string;
}
interface PersonLike {
  id: string;
  username: string;
  name: string;
  dmId?: string;
}

type ChannelLike = ServerLike['channels'][number];

/**
 * A server's channels as the sidebar shows them: those outside any category first, then each category with its
 * channels, all in position order (ties by id, the creation order).
 */
export function channelGroups<C extends ChannelLike>(channels: readonly C[]): { loose: C[]; categories: { category: C; channels: C[] }[] } {
  const byPosition = (a: C, b: C) => a.position - b.position || a.id.localeCompare(b.id);
  const categories = channels.filter((c) => c.type === 'category').sort(byPosition);
  const inside = channels.filter((c) => c.type !== 'category');
  return {
    loose: inside.filter((c) => !categories.some((k) => k.id === c.parentId)).sort(byPosition),
    categories: categories.map((category) => ({ category, channels: inside.filter((c) => c.parentId === category.id).sort(byPosition) })),
  };
}

/** The text channels of a server in the sidebar's order: uncategorised first, then each category's. */
export function channelOrder(server: ServerLike): ChannelLike[] {
  const { loose, categories } = channelGroups(server.channels);
  return [...loose, ...categories.flatMap((k) => k.channels)].filter((c) => c.type === 'text');
}

export function destinations(
  servers: readonly ServerLike[],
  dms: readonly DmLike[],
  people: readonly PersonLike[],
  readStates: ReadStates,
): Destination[] {
  const out: Destination[] = [];
  for (const dm of dms) {
    const state = unreadOf(dm.id, dm.lastMessageId, readStates);
    out.push({ kind: 'dm', id: dm.id, label: dm.title, path: `/channels/@me/${dm.id}`, ...state });
  }
  for (const server of servers) {
    let serverUnread = false;
    let serverMentions = 0;
    for (const c of channelOrder(server)) {
      const state = unreadOf(c.id, c.lastMessageId, readStates);
      serverUnread ||= state.unread;
      serverMentions += state.mentions;
      out.push({
        kind: 'channel',
        id: c.id,
        label: c.name ?? '',
        detail: server.name,
        path: `/servers/${server.id}/channels/${c.id}`,
        ...state,
      });
    }
    out.push({
      kind: 'server',
      id: server.id,
      label: server.name,
      path: `/servers/${server.id}`,
      unread: serverUnread,
      mentions: serverMentions,
    });
  }
  for (const p of people) {
    // Someone I have a DM with shows as that DM.
    if (p.dmId) continue;
    out.push({ kind: 'person', id: p.id, label: p.name, detail: p.username, unread: false, mentions: 0 });
  }
  return out;
}

const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * The destinations matching what was typed, best first: a name that starts with it before one that contains it,
 * mentions and unread before the rest. A leading `#` looks for channels, `@` for people and DMs, `*` for servers
 * (as in Discord). With nothing typed, the conversations that wait for you come first.
 */
export function searchDestinations(all: readonly Destination[], typed: string, limit = 12): Destination[] {
  const prefix = typed.trimStart()[0];
  const kinds: Destination['kind'][] | null =
    prefix === '#' ? ['channel'] : prefix === '@' ? ['person', 'dm'] : prefix === '*' ? ['server'] : null;
  const query = fold((kinds ? typed.trimStart().slice(1) : typed).trim());
  const scored: { d: Destination; score: number; order: number }[] = [];
  all.forEach((d, order) => {
    if (kinds && !kinds.includes(d.kind)) return;
    const name = fold(d.label);
    const detail = fold(d.detail ?? '');
    let score: number;
    if (!query) score = d.mentions > 0 ? 0 : d.unread ? 1 : 2;
    else if (name.startsWith(query)) score = 0;
    else if (name.includes(query) || (d.kind === 'person' && detail.startsWith(query))) score = 1;
    else return;
    if (query && d.mentions === 0 && !d.unread) score += 0.5;
    scored.push({ d, score, order });
  });
  return scored
    .sort((a, b) => a.score - b.score || a.order - b.order)
    .slice(0, limit)
    .map((s) => s.d);
}

/**
 * The channel Alt+↑/↓ (or, with `unreadOnly`, Alt+Shift+↑/↓) moves to from `current`, in the sidebar's order,
 * wrapping around; null when there is nowhere to go.
 */
export function adjacentChannel<T extends { id: string; unread: boolean }>(
  order: readonly T[],
  current: string | undefined,
  step: 1 | -1,
  unreadOnly = false,
): T | null {
  const at = order.findIndex((c) => c.id === current);
  for (let i = 1; i <= order.length; i++) {
    const candidate = order[((((at < 0 ? (step > 0 ? -1 : 0) : at) + step * i) % order.length) + order.length) % order.length]!;
    if (candidate.id === current) continue;
    if (!unreadOnly || candidate.unread) return candidate;
  }
  return null;
}

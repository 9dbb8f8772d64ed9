import { channelGroups } from '../../navigation/destinations';

export interface PlacedChannel {
  id: string;
  type: string;
  name?: string | null;
  parentId?: string | null;
  position: number;
  lastMessageId: string | null;
}

/** One item of PATCH /servers/{id}/channels/positions: parentId "0" takes a channel out of its category. */
export interface PositionChange {
  id: string;
  position: number;
  parentId: string;
}

/** The channels outside categories under the key "", then each category's under its id, as the sidebar orders them. */
export function channelLists<C extends PlacedChannel>(channels: readonly C[]): Map<string, C[]> {
  const { loose, categories } = channelGroups(channels);
  return new Map([['', loose], ...categories.map((k): [string, C[]] => [k.category.id, k.channels])]);
}

function renumber(list: readonly PlacedChannel[], parent: string, out: PositionChange[]) {
  list.forEach((c, position) => {
    if (c.position !== position || (c.parentId ?? '') !== parent) out.push({ id: c.id, position, parentId: parent || '0' });
  });
}

/**
 * Moves a channel to `index` in the list of category `toParent` ("" for none) and numbers the lists it left and joined
 * from 0; returns only the channels whose place changes (none when it stays where it is).
 */
export function moveChannel(channels: readonly PlacedChannel[], id: string, toParent: string, index: number): PositionChange[] {
  const lists = channelLists(channels);
  const moving = channels.find((c) => c.id === id);
  const target = lists.get(toParent);
  if (!moving || moving.type === 'category' || !target) return [];
  const fromParent = lists.has(moving.parentId ?? '') ? (moving.parentId ?? '') : '';
  const source = lists.get(fromParent)!.filter((c) => c.id !== id);
  const joined = fromParent === toParent ? source : target.filter((c) => c.id !== id);
  const at = Math.max(0, Math.min(index, joined.length));
  const placed = [...joined.slice(0, at), moving, ...joined.slice(at)];
  const out: PositionChange[] = [];
  if (fromParent !== toParent) renumber(source, fromParent, out);
  renumber(placed, toParent, out);
  return out;
}

/** Moves a category up (-1) or down (+1) among the categories. */
export function moveCategory(channels: readonly PlacedChannel[], id: string, delta: -1 | 1): PositionChange[] {
  const categories = channelGroups(channels).categories.map((k) => k.category);
  const from = categories.findIndex((c) => c.id === id);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= categories.length) return [];
  const order = [...categories];
  [order[from], order[to]] = [order[to]!, order[from]!];
  const out: PositionChange[] = [];
  renumber(order, '', out);
  return out;
}

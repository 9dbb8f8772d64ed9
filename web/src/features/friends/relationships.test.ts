import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { Relationship } from '../../api/types';
import { applyEvent, HistoryLoads } from '../gateway/cache';
import type { GatewayEvent } from '../gateway/protocol';
import { relationshipKeys } from './queries';

const user = (id: string) => ({ id, username: `u${id}`, displayName: null, avatarUrl: null });
const relationship = (id: string, type: string, status: string | null = null): Relationship => ({
  id,
  type,
  user: user(id),
  since: '2026-01-01T00:00:00Z',
  status,
});
const ev = (type: string, data: unknown): GatewayEvent => ({
  id: 'e',
  type,
  scope: 'user',
  scopeId: '1',
  sequence: 1,
  data: JSON.stringify(data),
});

function setUp(list: Relationship[]) {
  const qc = new QueryClient();
  qc.setQueryData(relationshipKeys.list, list);
  const loads = new HistoryLoads();
  return { qc, hooks: { myId: () => '1', needFreshReady: () => {}, loads } };
}

describe('relationship events', () => {
  it('add, change and remove people in the loaded list', () => {
    const { qc, hooks } = setUp([relationship('2', 'outgoing'), relationship('3', 'friend', 'idle')]);

    applyEvent(qc, ev('RelationshipUpdated', relationship('2', 'friend')), hooks);
    applyEvent(qc, ev('RelationshipUpdated', relationship('4', 'incoming')), hooks);
    applyEvent(qc, ev('RelationshipRemoved', { id: '3' }), hooks);

    const list = qc.getQueryData<Relationship[]>(relationshipKeys.list)!;
    expect(list.map((r) => `${r.id}:${r.type}`).sort()).toEqual(['2:friend', '4:incoming']);
  });

  it('keep a friend’s known presence when an event (which carries none) updates them', () => {
    const { qc, hooks } = setUp([relationship('3', 'friend', 'dnd')]);
    applyEvent(qc, ev('RelationshipUpdated', relationship('3', 'friend')), hooks);
    expect(qc.getQueryData<Relationship[]>(relationshipKeys.list)![0]!.status).toBe('dnd');
    applyEvent(qc, ev('RelationshipUpdated', relationship('3', 'blocked')), hooks);
    expect(qc.getQueryData<Relationship[]>(relationshipKeys.list)![0]).toMatchObject({ type: 'blocked', status: null });
  });
});

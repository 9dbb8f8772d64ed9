import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GatewayClient } from '../gateway/connection';
import { joinVoice, leaveVoice, voiceStore } from './store';

/** A gateway whose hub refuses JoinVoice as the server does for a channel without CONNECT. */
function refusingGateway() {
  const invoke = vi.fn((method: string) =>
    method === 'JoinVoice'
      ? Promise.reject(
          new Error("An unexpected error occurred invoking 'JoinVoice' on the server. HubException: missing_permission: CONNECT"),
        )
      : Promise.resolve(undefined),
  );
  return { gateway: { invoke, onVoice: () => () => undefined, userId: '1' } as unknown as GatewayClient, invoke };
}

describe('voice store', () => {
  afterEach(async () => {
    await leaveVoice();
    voiceStore.fail(null);
  });

  it('shows why a join was refused and leaves no call behind', async () => {
    const { gateway, invoke } = refusingGateway();
    const seen: (string | null)[] = [];
    const unsubscribe = voiceStore.subscribe(() => seen.push(voiceStore.get()?.status ?? null));

    await joinVoice(gateway, '5', '7');
    unsubscribe();

    expect(seen).toContain('connecting');
    expect(voiceStore.get()).toBeNull();
    expect(voiceStore.getError()).toBe('missing_permission: CONNECT');
    // The half-made call told the server it left, so no voice state lingers there.
    expect(invoke).toHaveBeenCalledWith('LeaveVoice');
  });
});

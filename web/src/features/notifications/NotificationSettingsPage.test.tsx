import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { tokenStore } from '../../api/client';
import { fakeFetch, json, problem, renderRoutes } from '../../test/renderRoutes';
import NotificationSettingsPage from './NotificationSettingsPage';
import UnsubscribePage from './UnsubscribePage';

const servers = [
  { id: '100', name: 'Rustaceans', description: null, iconUrl: null, ownerId: '1', memberCount: 3, createdAt: '2026-01-01T00:00:00Z' },
  { id: '200', name: 'Gardening', description: null, iconUrl: null, ownerId: '1', memberCount: 5, createdAt: '2026-01-01T00:00:00Z' },
];

afterEach(() => {
  cleanup();
  tokenStore.clear();
});

describe('notification settings', () => {
  it('shows the saved choices and patches only what changed', async () => {
    tokenStore.set({ accessToken: 'access', refreshToken: 'refresh-0123456789', sessionId: '11', userId: '7' });
    let settings = { email: 'all', mutedServerIds: ['200'] };
    const seen = fakeFetch(({ method, path, body }) => {
      if (path === '/api/v1/users/@me/servers') return json(servers);
      if (method === 'PATCH') settings = { ...settings, ...(body as object) };
      return json(settings);
    });
    renderRoutes([{ path: '/', element: <NotificationSettingsPage /> }], '/');

    // The email choices (each server's pop-up levels have an "All messages" too).
    const email = within(await screen.findByRole('group', { name: 'Email me about' }));
    const all = email.getByRole('radio', { name: /All messages/ });
    expect((all as HTMLInputElement).checked).toBe(true);
    expect(((await screen.findByRole('checkbox', { name: 'Mute Gardening' })) as HTMLInputElement).checked).toBe(true);

    fireEvent.click(email.getByRole('radio', { name: /Only mentions/ }));
    await screen.findByText('Saved.');
    expect(seen.find((r) => r.method === 'PATCH')).toEqual({
      method: 'PATCH',
      path: '/api/v1/users/@me/notification-settings',
      body: { email: 'mentions' },
    });

    fireEvent.click(screen.getByRole('checkbox', { name: 'Mute Rustaceans' }));
    await waitFor(() => expect(seen.filter((r) => r.method === 'PATCH')).toHaveLength(2));
    expect(seen.filter((r) => r.method === 'PATCH')[1]!.body).toEqual({ mutedServerIds: ['200', '100'] });
    await waitFor(() => expect((screen.getByRole('checkbox', { name: 'Mute Rustaceans' }) as HTMLInputElement).checked).toBe(true));
  });

  it('puts a refused change back and says it was not saved', async () => {
    tokenStore.set({ accessToken: 'access', refreshToken: 'refresh-0123456789', sessionId: '11', userId: '7' });
    fakeFetch(({ method, path }) => {
      if (path === '/api/v1/users/@me/servers') return json([]);
      if (method === 'PATCH') return problem(500, 'internal_error', 'boom');
      return json({ email: 'all', mutedServerIds: [] });
    });
    renderRoutes([{ path: '/', element: <NotificationSettingsPage /> }], '/');
    fireEvent.click(await screen.findByRole('radio', { name: /Nothing/ }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Your change was not saved\./);
    expect((screen.getByRole('radio', { name: /All messages/ }) as HTMLInputElement).checked).toBe(true);
  });
});

describe('unsubscribe link', () => {
  it('posts the token once and confirms', async () => {
    const seen = fakeFetch(() => json(undefined, 204));
    renderRoutes([{ path: '/unsubscribe', element: <UnsubscribePage /> }], '/unsubscribe?token=abc%2Bdef');
    // The confirmation replaces the "Unsubscribing…" status.
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/^You will no longer get email notifications\./));
    expect(seen).toEqual([{ method: 'POST', path: '/api/v1/notifications/unsubscribe', body: { token: 'abc+def' } }]);
  });

  it('explains a link without a token', async () => {
    const seen = fakeFetch(() => json(undefined, 204));
    renderRoutes([{ path: '/unsubscribe', element: <UnsubscribePage /> }], '/unsubscribe');
    expect((await screen.findByRole('alert')).textContent).toMatch(/incomplete/);
    expect(seen).toHaveLength(0);
  });
});

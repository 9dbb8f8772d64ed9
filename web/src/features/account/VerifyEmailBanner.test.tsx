import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { tokenStore } from '../../api/client';
import { fakeFetch, json, problem, renderRoutes } from '../../test/renderRoutes';
import { VerifyEmailBanner } from './VerifyEmailBanner';

const me = (emailVerified: boolean) => ({
  id: '7',
  username: 'ada',
  email: 'ada@example.com',
  emailVerified,
  displayName: null,
  avatarUrl: null,
  bio: null,
  statusText: null,
  createdAt: '2026-01-01T00:00:00Z',
});

afterEach(() => {
  cleanup();
  tokenStore.clear();
});

function signedIn() {
  tokenStore.set({ accessToken: 'access', refreshToken: 'refresh-0123456789', sessionId: '11', userId: '7' });
}

describe('the verify-email banner', () => {
  it('is not shown once the address is verified', async () => {
    signedIn();
    const seen = fakeFetch(() => json(me(true)));
    const { container } = renderRoutes([{ path: '/', element: <VerifyEmailBanner /> }], '/');
    await expect.poll(() => seen.length).toBe(1);
    expect(container.textContent).toBe('');
  });

  it('explains the limits and resends the link', async () => {
    signedIn();
    const seen = fakeFetch(({ path }) => (path === '/api/v1/users/@me' ? json(me(false)) : json(undefined, 202)));
    renderRoutes([{ path: '/', element: <VerifyEmailBanner /> }], '/');
    expect((await screen.findByRole('region', { name: 'Email verification' })).textContent).toContain(
      'you need a verified address to send messages and join servers',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Resend email' }));
    expect((await screen.findByText(/We sent a new link/)).textContent).toBe(
      'We sent a new link to ada@example.com. It works for 24 hours.',
    );
    expect(seen.at(-1)).toMatchObject({ method: 'POST', path: '/api/v1/auth/verify-email/resend' });
  });

  it('says in plain words when it may be asked again', async () => {
    signedIn();
    fakeFetch(({ path }) =>
      path === '/api/v1/users/@me' ? json(me(false)) : problem(429, 'rate_limited', 'Too many requests.', { 'Retry-After': '840' }),
    );
    renderRoutes([{ path: '/', element: <VerifyEmailBanner /> }], '/');
    fireEvent.click(await screen.findByRole('button', { name: 'Resend email' }));
    expect((await screen.findByRole('alert')).textContent).toBe('You’ve asked for several emails already. Try again in 14 minutes.');
  });
});

import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { tokenStore } from '../../api/client';
import { fakeFetch, json, problem, renderRoutes } from '../../test/renderRoutes';
import LoginPage from '../auth/LoginPage';

const ticket = 'ticket-0123456789abcdef';
const tokens = {
  accessToken: 'access',
  refreshToken: 'refresh-0123456789',
  tokenType: 'Bearer',
  expiresIn: 900,
  sessionId: '11',
  user: {
    id: '7',
    username: 'ada',
    email: 'ada@example.com',
    emailVerified: true,
    displayName: null,
    avatarUrl: null,
    bio: null,
    statusText: null,
    createdAt: '2026-01-01T00:00:00Z',
  },
};

function renderLogin() {
  return renderRoutes(
    [
      { path: '/login', element: <LoginPage /> },
      { path: '/', element: <p>Home</p> },
    ],
    '/login',
  );
}

async function passPassword() {
  fireEvent.change(screen.getByLabelText('Email or username'), { target: { value: 'ada' } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'a good passphrase' } });
  fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
  return screen.findByRole('heading', { name: 'Two-factor authentication' });
}

afterEach(() => {
  cleanup();
  tokenStore.clear();
});

describe('login with two-factor authentication', () => {
  it('asks for a code after the password, sends it with the ticket, then signs in', async () => {
    const seen = fakeFetch(({ path }) =>
      path === '/api/v1/auth/login' ? json({ mfaRequired: true, mfaTicket: ticket, expiresIn: 300 }) : json(tokens),
    );
    renderLogin();
    await passPassword();
    // No session yet: the password alone earned only the ticket.
    expect(tokenStore.get()).toBeNull();
    const field = screen.getByLabelText('Authentication code');
    expect(document.activeElement).toBe(field);
    expect(field.getAttribute('autocomplete')).toBe('one-time-code');

    fireEvent.change(field, { target: { value: '123 456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify and log in' }));
    await screen.findByText('Home');
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      path: '/api/v1/auth/login/mfa',
      body: { mfaTicket: ticket, code: '123456', recoveryCode: null },
    });
    expect(tokenStore.get()?.accessToken).toBe('access');
  });

  it('does not send an incomplete code, and explains why', async () => {
    const seen = fakeFetch(() => json({ mfaRequired: true, mfaTicket: ticket, expiresIn: 300 }));
    renderLogin();
    await passPassword();
    fireEvent.change(screen.getByLabelText('Authentication code'), { target: { value: '12a3' } });
    expect((screen.getByLabelText('Authentication code') as HTMLInputElement).value).toBe('123');
    fireEvent.click(screen.getByRole('button', { name: 'Verify and log in' }));
    expect(screen.getByLabelText('Authentication code').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Enter the 6-digit code from your authenticator app.')).toBeTruthy();
    expect(seen).toHaveLength(1);
  });

  it('takes a recovery code instead, and announces a wrong one', async () => {
    const seen = fakeFetch(({ path }) =>
      path === '/api/v1/auth/login'
        ? json({ mfaRequired: true, mfaTicket: ticket, expiresIn: 300 })
        : problem(400, 'invalid_code', 'The code is wrong, expired or already used.'),
    );
    renderLogin();
    await passPassword();
    fireEvent.click(screen.getByRole('button', { name: 'Use a recovery code' }));
    const field = screen.getByLabelText('Recovery code');
    expect(document.activeElement).toBe(field);
    fireEvent.change(field, { target: { value: ' abcde-12345 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify and log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That recovery code is wrong or was already used.');
    expect(seen.at(-1)?.body).toEqual({ mfaTicket: ticket, code: null, recoveryCode: 'ABCDE-12345' });
  });

  it('goes back to the password when the ticket has expired', async () => {
    fakeFetch(({ path }) =>
      path === '/api/v1/auth/login'
        ? json({ mfaRequired: true, mfaTicket: ticket, expiresIn: 300 })
        : problem(401, 'invalid_mfa_ticket', 'The sign-in ticket is invalid or expired; sign in again.'),
    );
    renderLogin();
    await passPassword();
    fireEvent.change(screen.getByLabelText('Authentication code'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify and log in' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('That sign-in took too long. Enter your password again.'));
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('');
    expect(document.activeElement).toBe(screen.getByLabelText('Email or username'));
  });

  it('does not send a code for a ticket that has run out', async () => {
    const seen = fakeFetch(() => json({ mfaRequired: true, mfaTicket: ticket, expiresIn: 0 }));
    renderLogin();
    await passPassword();
    fireEvent.change(screen.getByLabelText('Authentication code'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify and log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That sign-in took too long. Enter your password again.');
    expect(seen.map((r) => r.path)).toEqual(['/api/v1/auth/login']);
  });

  it('signs in at once when the account has no 2FA', async () => {
    fakeFetch(() => json(tokens));
    renderLogin();
    fireEvent.change(screen.getByLabelText('Email or username'), { target: { value: 'ada' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'a good passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await screen.findByText('Home');
    expect(tokenStore.get()?.sessionId).toBe('11');
  });
});

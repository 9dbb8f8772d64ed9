import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { api, tokenStore, unwrap } from '../../api/client';
import { toStoredTokens } from '../../api/authFetch';
import { unsubscribeFromPush } from '../notifications/push';
import { setDeliberateSignOut } from './signOutIntent';
import type { AuthTokens, LoginRequest, Me, RegisterRequest } from '../../api/types';
import { isMfaChallenge, type MfaChallenge } from '../account/twoFactor';
import { userKeys } from '../users/queries';

/** The stored tokens (null when signed out); re-renders when they change, in this tab or another. */
export function useTokens() {
  return useSyncExternalStore(tokenStore.subscribe, tokenStore.get);
}

export function useMe() {
  const tokens = useTokens();
  return useQuery({
    queryKey: userKeys.me,
    queryFn: () => unwrap(api.GET('/api/v1/users/@me')) as Promise<Me>,
    enabled: tokens !== null,
  });
}

function useStartSession() {
  const queryClient = useQueryClient();
  return (tokens: AuthTokens) => {
    setDeliberateSignOut(false);
    queryClient.clear();
    queryClient.setQueryData(userKeys.me, tokens.user);
    tokenStore.set(toStoredTokens(tokens));
  };
}

/** Signs in with a password: starts the session, or (2FA on) answers the challenge for the code step. */
export function useLoginMutation() {
  const start = useStartSession();
  return useMutation({
    // The OpenAPI document lists only one of login's two 200 bodies, so the union is spelled out here.
    mutationFn: (body: LoginRequest) => unwrap(api.POST('/api/v1/auth/login', { body })) as Promise<AuthTokens | MfaChallenge>,
    onSuccess: (result) => {
      if (!isMfaChallenge(result)) start(result);
    },
  });
}

/** The second login step: the ticket from the password step and a code (or recovery code) for tokens. */
export function useLoginMfaMutation() {
  const start = useStartSession();
  return useMutation({
    mutationFn: (body: { mfaTicket: string; code: string | null; recoveryCode: string | null }) =>
      unwrap(api.POST('/api/v1/auth/login/mfa', { body })),
    onSuccess: start,
  });
}

export function useRegisterMutation() {
  const start = useStartSession();
  return useMutation({
    mutationFn: (body: RegisterRequest) => unwrap(api.POST('/api/v1/auth/register', { body })),
    onSuccess: start,
  });
}

/** Deletes the account (the server keeps messages under a "Deleted User" tombstone) and forgets it on this device. */
export function useDeleteAccountMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (password: string) => unwrap(api.DELETE('/api/v1/users/@me', { body: { password } })),
    onSuccess: () => {
      setDeliberateSignOut(true);
      tokenStore.clear();
      queryClient.clear();
    },
  });
}

export function useLogoutMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    // Best effort: even if the server cannot be told, this device forgets the session.
    mutationFn: async () => {
      // This browser stops receiving the account's pushes while the session can still say so.
      await unsubscribeFromPush().catch(() => undefined);
      await unwrap(api.POST('/api/v1/auth/logout')).catch(() => undefined);
    },
    onSettled: () => {
      setDeliberateSignOut(true);
      tokenStore.clear();
      queryClient.clear();
    },
  });
}

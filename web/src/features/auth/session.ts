import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { api, tokenStore, unwrap } from '../../api/client';
import { toStoredTokens } from '../../api/authFetch';
import { setDeliberateSignOut } from './signOutIntent';
import type { AuthTokens, LoginRequest, Me, RegisterRequest } from '../../api/types';

export const meKey = ['users', '@me'] as const;

/** The stored tokens (null when signed out); re-renders when they change, in this tab or another. */
export function useTokens() {
  return useSyncExternalStore(tokenStore.subscribe, tokenStore.get);
}

export function useMe() {
  const tokens = useTokens();
  return useQuery({
    queryKey: meKey,
    queryFn: () => unwrap(api.GET('/api/v1/users/@me')) as Promise<Me>,
    enabled: tokens !== null,
  });
}

function useStartSession() {
  const queryClient = useQueryClient();
  return (tokens: AuthTokens) => {
    setDeliberateSignOut(false);
    queryClient.clear();
    queryClient.setQueryData(meKey, tokens.user);
    tokenStore.set(toStoredTokens(tokens));
  };
}

export function useLogin() {
  const start = useStartSession();
  return useMutation({
    mutationFn: async (body: LoginRequest): Promise<AuthTokens> => {
      const result = await unwrap(api.POST('/api/v1/auth/login', { body }));
      // The two-factor step is not in the web client yet.
      if ('mfaRequired' in result) throw new Error('This account uses two-factor sign-in, which the web client does not support yet.');
      return result;
    },
    onSuccess: start,
  });
}

export function useRegister() {
  const start = useStartSession();
  return useMutation({
    mutationFn: (body: RegisterRequest) => unwrap(api.POST('/api/v1/auth/register', { body })),
    onSuccess: start,
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    // Best effort: even if the server cannot be told, this device forgets the session.
    mutationFn: () => unwrap(api.POST('/api/v1/auth/logout')).catch(() => undefined),
    onSettled: () => {
      setDeliberateSignOut(true);
      tokenStore.clear();
      queryClient.clear();
    },
  });
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Me } from '../../api/types';
import { userKeys } from '../users/queries';

/** Account security calls: email verification and change, password change and reset, and TOTP 2FA. */

export const twoFactorKeys = {
  status: ['auth', '2fa'] as const,
};

export function useVerifyEmailMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { userId: string; token: string }) => unwrap(api.POST('/api/v1/auth/verify-email', { body })),
    // The link may be opened signed in as the account it verifies: the banner goes away at once.
    onSuccess: (me: Me) => {
      const current = queryClient.getQueryData<Me>(userKeys.me);
      if (current?.id === me.id) queryClient.setQueryData(userKeys.me, me);
    },
  });
}

export function useResendVerificationMutation() {
  return useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/auth/verify-email/resend')) });
}

export function useChangeEmailMutation() {
  return useMutation({
    mutationFn: (body: { newEmail: string; password: string }) => unwrap(api.POST('/api/v1/users/@me/email', { body })),
  });
}

export function useConfirmEmailChangeMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { userId: string; newEmail: string; token: string }) =>
      unwrap(api.POST('/api/v1/auth/confirm-email-change', { body })),
    onSuccess: (me: Me) => {
      const current = queryClient.getQueryData<Me>(userKeys.me);
      if (current?.id === me.id) queryClient.setQueryData(userKeys.me, me);
    },
  });
}

export function useChangePasswordMutation() {
  return useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) => unwrap(api.POST('/api/v1/users/@me/password', { body })),
  });
}

export function useRequestPasswordResetMutation() {
  return useMutation({ mutationFn: (body: { email: string }) => unwrap(api.POST('/api/v1/auth/password-reset', { body })) });
}

export function useConfirmPasswordResetMutation() {
  return useMutation({
    mutationFn: (body: { userId: string; token: string; newPassword: string }) =>
      unwrap(api.POST('/api/v1/auth/password-reset/confirm', { body })),
  });
}

export function useTwoFactorStatus() {
  return useQuery({ queryKey: twoFactorKeys.status, queryFn: () => unwrap(api.GET('/api/v1/auth/2fa')) });
}

export function useEnrollTwoFactorMutation() {
  return useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/auth/2fa/enroll')) });
}

export function useConfirmTwoFactorMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/api/v1/auth/2fa/confirm', { body: { code } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: twoFactorKeys.status }),
  });
}

export function useRegenerateRecoveryCodesMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/api/v1/auth/2fa/recovery-codes', { body: { code } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: twoFactorKeys.status }),
  });
}

export function useDisableTwoFactorMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { password: string; code: string | null; recoveryCode: string | null }) =>
      unwrap(api.POST('/api/v1/auth/2fa/disable', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: twoFactorKeys.status }),
  });
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Session } from '../../api/types';

export const sessionKeys = {
  list: ['auth', 'sessions'] as const,
};

/** The devices signed in to the account. */
export function useSessions() {
  return useQuery({ queryKey: sessionKeys.list, queryFn: () => unwrap(api.GET('/api/v1/auth/sessions')) });
}

const revoke = (id: string) => unwrap(api.DELETE('/api/v1/auth/sessions/{id}', { params: { path: { id } } }));

export function useRevokeSessionMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revoke,
    onSettled: () => queryClient.invalidateQueries({ queryKey: sessionKeys.list }),
  });
}

export function useRevokeOtherSessionsMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (others: Session[]) => {
      // One request per device: the API has no bulk call. Already-ended sessions (404) are fine.
      const results = await Promise.allSettled(others.map((s) => revoke(s.id)));
      const failed = results.find((r) => r.status === 'rejected' && (r.reason as { status?: number }).status !== 404);
      if (failed) throw (failed as PromiseRejectedResult).reason;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: sessionKeys.list }),
  });
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Me, UpdateProfileRequest } from '../../api/types';

export const userKeys = {
  /** The signed-in user (useMe in auth/queries.ts). */
  me: ['users', '@me'] as const,
  profile: (id: string) => ['users', id] as const,
};

export function useProfile(id: string) {
  return useQuery({
    queryKey: userKeys.profile(id),
    queryFn: () => unwrap(api.GET('/api/v1/users/{id}', { params: { path: { id } } })),
    retry: (count, error) => count < 2 && !('status' in error && (error as { status: number }).status === 404),
  });
}

export function useUpdateProfileMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateProfileRequest) => unwrap(api.PATCH('/api/v1/users/@me', { body })),
    onSuccess: (me: Me) => {
      queryClient.setQueryData(userKeys.me, me);
      void queryClient.invalidateQueries({ queryKey: userKeys.profile(me.id) });
    },
  });
}

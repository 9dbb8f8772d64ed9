import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, idParam, unwrap } from '../../api/client';
import type { Me, UpdateProfileRequest } from '../../api/types';
import { meKey } from '../auth/session';

export const profileKey = (id: string) => ['users', id] as const;

export function useProfile(id: string) {
  return useQuery({
    queryKey: profileKey(id),
    queryFn: () => unwrap(api.GET('/api/v1/users/{id}', { params: { path: { id: idParam(id) } } })),
    retry: (count, error) => count < 2 && !('status' in error && (error as { status: number }).status === 404),
  });
}

export function useUpdateProfile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateProfileRequest) => unwrap(api.PATCH('/api/v1/users/@me', { body })),
    onSuccess: (me: Me) => {
      queryClient.setQueryData(meKey, me);
      void queryClient.invalidateQueries({ queryKey: profileKey(me.id) });
    },
  });
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Client } from 'openapi-fetch';
import { api, unwrap } from '../../api/client';
import type { RuleChange } from './rules';
import { applyPatch, fromServer, withRule, type NotificationSettings, type NotificationSettingsPatch } from './settings';

// The PATCH body is partial (only what changed), which the generated types cannot say: see settings.ts.
interface NotificationPaths {
  '/api/v1/users/@me/notification-settings': {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    get: {
      parameters: { query?: never; header?: never; path?: never; cookie?: never };
      requestBody?: never;
      responses: { 200: { headers: Record<string, unknown>; content: { 'application/json': NotificationSettings } } };
    };
    patch: {
      parameters: { query?: never; header?: never; path?: never; cookie?: never };
      requestBody: { content: { 'application/json': NotificationSettingsPatch } };
      responses: { 200: { headers: Record<string, unknown>; content: { 'application/json': NotificationSettings } } };
    };
  };
  '/api/v1/users/@me/notification-settings/{scope}/{id}': {
    parameters: { query?: never; header?: never; path: { scope: 'servers' | 'channels'; id: string }; cookie?: never };
    put: {
      parameters: { query?: never; header?: never; path: { scope: 'servers' | 'channels'; id: string }; cookie?: never };
      requestBody: { content: { 'application/json': RuleChange } };
      responses: { 200: { headers: Record<string, unknown>; content: { 'application/json': NotificationSettings } } };
    };
  };
  '/api/v1/notifications/unsubscribe': {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    post: {
      parameters: { query?: never; header?: never; path?: never; cookie?: never };
      requestBody: { content: { 'application/json': { token: string } } };
      responses: { 204: { headers: Record<string, unknown>; content?: never } };
    };
  };
}

// The same client (tokens, refresh, base URL), seen through the hand-written paths.
const notificationsApi = api as unknown as Client<NotificationPaths>;

export const notificationKeys = {
  settings: ['users', '@me', 'notification-settings'] as const,
};

export function useNotificationSettings() {
  return useQuery({
    queryKey: notificationKeys.settings,
    queryFn: async () => fromServer(await unwrap(notificationsApi.GET('/api/v1/users/@me/notification-settings'))),
  });
}

/** Saves a change at once, showing it before the server answers and putting it back if the server refuses. */
export function useUpdateNotificationSettingsMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (patch: NotificationSettingsPatch) =>
      fromServer(await unwrap(notificationsApi.PATCH('/api/v1/users/@me/notification-settings', { body: patch }))),
    onMutate: async (patch) => {
      await queryClient.cancelQueries({ queryKey: notificationKeys.settings });
      const previous = queryClient.getQueryData<NotificationSettings>(notificationKeys.settings);
      if (previous) queryClient.setQueryData(notificationKeys.settings, applyPatch(previous, patch));
      return { previous };
    },
    onError: (_error, _patch, context) => {
      if (context?.previous) queryClient.setQueryData(notificationKeys.settings, context.previous);
    },
    onSuccess: (settings) => queryClient.setQueryData(notificationKeys.settings, settings),
  });
}

/**
 * Sets one server's or channel's level and mute; every device hears of it (NotificationSettingsUpdated). Shown at
 * once (the next choice builds on it), sent one after another (each PUT replaces the whole rule), put back if refused.
 */
export function useUpdateNotificationRuleMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    scope: { id: 'notification-rules' },
    onMutate: async ({ scope, id, change }) => {
      await queryClient.cancelQueries({ queryKey: notificationKeys.settings });
      const previous = queryClient.getQueryData<NotificationSettings>(notificationKeys.settings);
      if (previous) queryClient.setQueryData(notificationKeys.settings, withRule(previous, scope, id, change, Date.now()));
      return { previous };
    },
    onError: (_error, _variables, context) => {
      if (context?.previous) queryClient.setQueryData(notificationKeys.settings, context.previous);
    },
    mutationFn: async ({ scope, id, change }: { scope: 'servers' | 'channels'; id: string; change: RuleChange }) =>
      fromServer(
        await unwrap(
          notificationsApi.PUT('/api/v1/users/@me/notification-settings/{scope}/{id}', { params: { path: { scope, id } }, body: change }),
        ),
      ),
    onSuccess: (settings) => queryClient.setQueryData(notificationKeys.settings, settings),
  });
}

export function useUnsubscribeMutation() {
  return useMutation({
    mutationFn: (token: string) => unwrap(notificationsApi.POST('/api/v1/notifications/unsubscribe', { body: { token } })),
  });
}

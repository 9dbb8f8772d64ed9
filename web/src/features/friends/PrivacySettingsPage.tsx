import { errorMessage } from '../../api/errors';
import type { FriendRequestPrivacy } from '../../api/types';
import { Alert } from '../../ui/Alert';
import { Spinner } from '../../ui/Button';
import { usePageTitle } from '../../ui/usePageTitle';
import { useJoinedServers } from '../servers/queries';
import { SectionHeading } from '../settings/SettingsLayout';
import { usePrivacySettings, useServerPrivacyMutation, useUpdatePrivacyMutation } from './queries';

const REQUEST_CHOICES: { key: keyof FriendRequestPrivacy; label: string; description: string }[] = [
  { key: 'everyone', label: 'Everyone', description: 'Anyone who knows your username.' },
  { key: 'friendsOfFriends', label: 'Friends of friends', description: 'People who share at least one friend with you.' },
  { key: 'serverMembers', label: 'Server members', description: 'People in a server you are in.' },
];

/** Settings → Privacy & safety: who may DM you and who may ask to be your friend. Blocked people can do neither. */
export default function PrivacySettingsPage() {
  usePageTitle('Privacy & safety');
  const settings = usePrivacySettings();
  const update = useUpdatePrivacyMutation();
  const perServer = useServerPrivacyMutation();
  const servers = useJoinedServers();
  const saving = update.isPending || perServer.isPending;
  const failed = update.error ?? perServer.error;

  return (
    <>
      <SectionHeading
        title="Privacy & safety"
        description="Who can reach you when you are not friends. Friends can always message you; people you block never can."
      />
      {settings.isPending ? (
        <Spinner label="Loading…" />
      ) : settings.isError ? (
        <Alert>{errorMessage(settings.error)}</Alert>
      ) : (
        <div className="flex flex-col gap-8">
          <div aria-live="polite" className="text-sm text-zinc-600 dark:text-zinc-400">
            {saving ? 'Saving…' : update.isSuccess || perServer.isSuccess ? 'Saved.' : ''}
          </div>
          {failed && <Alert>{`Your change was not saved. ${errorMessage(failed)}`}</Alert>}
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-2 text-base font-semibold">Direct messages</legend>
            <label className="flex cursor-pointer items-start gap-3 rounded-lg bg-side p-3 dark:bg-side-dark">
              <input
                type="checkbox"
                className="mt-1 size-4 accent-indigo-600"
                checked={settings.data.allowDmsFromServerMembers}
                onChange={() => update.mutate({ allowDmsFromServerMembers: !settings.data.allowDmsFromServerMembers })}
              />
              <span>
                <span className="block font-medium">Allow direct messages from server members</span>
                <span className="block text-sm text-zinc-600 dark:text-zinc-400">
                  The default for every server, and for people you share no server with. Each server below can differ.
                </span>
              </span>
            </label>
          </fieldset>
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-base font-semibold">Direct messages, per server</legend>
            {servers.isPending ? (
              <Spinner label="Loading servers…" />
            ) : servers.isError ? (
              <Alert>{errorMessage(servers.error)}</Alert>
            ) : servers.data.length === 0 ? (
              <p className="rounded-lg bg-side p-4 text-sm text-zinc-600 dark:bg-side-dark dark:text-zinc-400">
                You’re not in any servers yet.
              </p>
            ) : (
              servers.data.map((server) => {
                const choice = settings.data.servers.find((s) => s.serverId === server.id);
                const value = choice ? (choice.allowDms ? 'allow' : 'refuse') : 'default';
                return (
                  <label key={server.id} className="flex flex-wrap items-center gap-3 rounded-lg bg-side p-3 dark:bg-side-dark">
                    <span className="min-w-0 flex-1 font-medium">DMs from members of {server.name}</span>
                    <select
                      value={value}
                      onChange={(e) =>
                        perServer.mutate({
                          serverId: server.id,
                          allowDms: e.target.value === 'default' ? null : e.target.value === 'allow',
                        })
                      }
                      className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
                    >
                      <option value="default">Default ({settings.data.allowDmsFromServerMembers ? 'allowed' : 'not allowed'})</option>
                      <option value="allow">Allowed</option>
                      <option value="refuse">Not allowed</option>
                    </select>
                  </label>
                );
              })
            )}
          </fieldset>
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-base font-semibold">Who can send you a friend request</legend>
            {REQUEST_CHOICES.map((choice) => {
              const requests = settings.data.friendRequests;
              // "Everyone" covers the narrower groups: while it is on, they show as on and cannot be turned off alone.
              const coveredByEveryone = choice.key !== 'everyone' && requests.everyone;
              return (
                <label key={choice.key} className="flex cursor-pointer items-start gap-3 rounded-lg bg-side p-3 dark:bg-side-dark">
                  <input
                    type="checkbox"
                    className="mt-1 size-4 accent-indigo-600"
                    checked={requests[choice.key]}
                    disabled={coveredByEveryone}
                    onChange={() => update.mutate({ friendRequests: { ...requests, [choice.key]: !requests[choice.key] } })}
                  />
                  <span>
                    <span className="block font-medium">{choice.label}</span>
                    <span className="block text-sm text-zinc-600 dark:text-zinc-400">{choice.description}</span>
                  </span>
                </label>
              );
            })}
          </fieldset>
        </div>
      )}
    </>
  );
}

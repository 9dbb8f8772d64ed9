import { useState } from 'react';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Spinner } from '../../ui/Button';
import { usePageTitle } from '../../ui/usePageTitle';
import { desktopBridge } from '../../platform/desktopBridge';
import { useJoinedServers } from '../servers/queries';
import { SectionHeading } from '../settings/SettingsLayout';
import { trySubscribeToPush } from './push';
import { useNotificationSettings, useUpdateNotificationSettingsMutation } from './queries';
import { RuleEditor } from './RuleEditor';
import { defaultLevel } from './rules';
import { changes, EMAIL_CHOICES, toggleMuted, type NotificationSettings } from './settings';

/** This browser's permission for pop-ups, and a way to ask for it (only from a click, as browsers require). */
function BrowserPermission() {
  const [permission, setPermission] = useState(() => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission));
  // The desktop app shows its pop-ups natively; it needs no permission.
  if (desktopBridge() || permission === 'granted') return null;
  if (permission === 'unsupported')
    return <p className="text-sm text-zinc-600 dark:text-zinc-400">This browser cannot show notifications.</p>;
  if (permission === 'denied')
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        This browser blocks notifications from KamaChat. Allow them in the site settings to see them here.
      </p>
    );
  return (
    <button
      type="button"
      onClick={() =>
        void Notification.requestPermission().then((next) => {
          setPermission(next);
          if (next === 'granted') trySubscribeToPush();
        })
      }
      className="self-start rounded-md bg-brand px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-strong"
    >
      Allow notifications in this browser
    </button>
  );
}

export default function NotificationSettingsPage() {
  usePageTitle('Notification settings');
  const settings = useNotificationSettings();
  const update = useUpdateNotificationSettingsMutation();
  const servers = useJoinedServers();

  const save = (next: NotificationSettings) => {
    const patch = settings.data ? changes(settings.data, next) : null;
    if (patch) update.mutate(patch);
  };

  return (
    <>
      <SectionHeading title="Notifications" description="When KamaChat tells you about messages: on your devices, and by email." />
      {settings.isPending ? (
        <Spinner label="Loading…" />
      ) : settings.isError ? (
        <Alert>{errorMessage(settings.error)}</Alert>
      ) : (
        <div className="flex flex-col gap-8">
          <div aria-live="polite" className="text-sm text-zinc-600 dark:text-zinc-400">
            {update.isPending ? 'Saving…' : update.isSuccess ? 'Saved.' : ''}
          </div>
          {update.isError && <Alert>{`Your change was not saved. ${errorMessage(update.error)}`}</Alert>}
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-2 text-base font-semibold">On your devices</legend>
            <label className="flex cursor-pointer items-start gap-3 rounded-lg bg-side p-3 dark:bg-side-dark">
              <input
                type="checkbox"
                className="mt-1 size-4 accent-indigo-600"
                checked={!settings.data.desktopMuted}
                onChange={() => save({ ...settings.data, desktopMuted: !settings.data.desktopMuted })}
              />
              <span>
                <span className="block font-medium">Show notifications for direct messages and mentions</span>
                <span className="block text-sm text-zinc-600 dark:text-zinc-400">
                  In the desktop app, an installed KamaChat app, and browsers you allow. Turning this off mutes them everywhere (as the
                  desktop app’s “Mute notifications” does); Do Not Disturb mutes them too.
                </span>
              </span>
            </label>
            <BrowserPermission />
          </fieldset>
          <section aria-labelledby="server-notifications" className="flex flex-col gap-2">
            <h3 id="server-notifications" className="text-base font-semibold">
              Servers
            </h3>
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              Each server notifies you about mentions unless you choose otherwise; a channel’s own setting (the bell in its header) comes
              first. Muting silences pop-ups, pushes and emails about it.
            </p>
            {servers.data?.map((server) => (
              <details key={server.id} className="rounded-lg bg-side p-3 dark:bg-side-dark">
                <summary className="cursor-pointer font-medium">{server.name}</summary>
                <div className="mt-3">
                  <RuleEditor scope="servers" id={server.id} name={server.name} inherited={defaultLevel(false)} />
                </div>
              </details>
            ))}
          </section>
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-2 text-base font-semibold">Email me about</legend>
            {EMAIL_CHOICES.map((choice) => (
              <label key={choice.value} className="flex cursor-pointer items-start gap-3 rounded-lg bg-side p-3 dark:bg-side-dark">
                <input
                  type="radio"
                  name="email"
                  value={choice.value}
                  className="mt-1 size-4 accent-indigo-600"
                  checked={settings.data.email === choice.value}
                  onChange={() => save({ ...settings.data, email: choice.value })}
                />
                <span>
                  <span className="block font-medium">{choice.label}</span>
                  <span className="block text-sm text-zinc-600 dark:text-zinc-400">{choice.description}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <fieldset className="flex flex-col gap-2" disabled={settings.data.email === 'none'}>
            <legend className="mb-1 text-base font-semibold">Muted servers</legend>
            <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">
              {settings.data.email === 'none' ? 'Emails are off for every server.' : 'No emails about messages in the servers you mute.'}
            </p>
            {servers.isPending ? (
              <Spinner label="Loading servers…" />
            ) : servers.isError ? (
              <Alert>{errorMessage(servers.error)}</Alert>
            ) : servers.data.length === 0 ? (
              <p className="rounded-lg bg-side p-4 text-sm text-zinc-600 dark:bg-side-dark dark:text-zinc-400">
                You’re not in any servers yet.
              </p>
            ) : (
              servers.data.map((server) => (
                <label key={server.id} className="flex cursor-pointer items-center gap-3 rounded-lg bg-side p-3 dark:bg-side-dark">
                  <input
                    type="checkbox"
                    className="size-4 accent-indigo-600"
                    checked={settings.data.mutedServerIds.includes(server.id)}
                    onChange={() => save({ ...settings.data, mutedServerIds: toggleMuted(settings.data.mutedServerIds, server.id) })}
                  />
                  <span className="font-medium">Mute {server.name}</span>
                </label>
              ))
            )}
          </fieldset>
        </div>
      )}
    </>
  );
}

import { useId } from 'react';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import type { HeaderMenuItem, PanelControl } from '../../ui/HeaderMenu';
import { BellIcon } from '../../ui/icons';
import { useNow } from '../../ui/useNow';
import { useNotificationSettings, useUpdateNotificationRuleMutation } from './queries';
import { defaultLevel, isMuted, LEVELS, MUTE_CHOICES, mutedText, type NotificationLevel, type NotificationRule } from './rules';

const levelName = (level: NotificationLevel) => LEVELS.find((l) => l.value === level)!.label;

/**
 * One server's or channel's notifications: its level (or the inherited one) and a mute for a while or until turned
 * back on. Saved on the server at once; the user's other devices follow (NotificationSettingsUpdated).
 */
export function RuleEditor({
  scope,
  id,
  name,
  inherited,
}: {
  scope: 'servers' | 'channels';
  id: string;
  /** "#general", "Kama Club", "this conversation". */
  name: string;
  /** What "Default" means here: the server's level for a channel, the default for a server or DM. */
  inherited: NotificationLevel;
}) {
  const settings = useNotificationSettings();
  const update = useUpdateNotificationRuleMutation();
  const groupId = useId();
  const rule: NotificationRule | undefined = settings.data?.[scope].find((r) => r.id === id);
  const now = useNow();
  const muted = isMuted(rule, now);
  const save = (level: NotificationLevel | null, mute: { muted: boolean; minutes: number | null }) =>
    update.mutate({ scope, id, change: { level, muted: mute.muted, muteMinutes: mute.muted ? mute.minutes : null } });
  // A mute left as it is when only the level changes (its remaining time kept).
  const keepMute = (at: number) => ({
    muted,
    minutes: muted && rule?.mutedUntil ? Math.max(1, Math.ceil((Date.parse(rule.mutedUntil) - at) / 60000)) : null,
  });

  return (
    <div className="flex flex-col gap-3" data-testid={`notification-rule-${scope}-${id}`}>
      <fieldset className="flex flex-col gap-1">
        <legend className="mb-1 font-semibold">Notify me about {name}</legend>
        {[null, ...LEVELS.map((l) => l.value)].map((value) => (
          <label key={value ?? 'default'} className="flex cursor-pointer items-center gap-2 text-sm">
            <input
              type="radio"
              name={groupId}
              className="size-4 accent-indigo-600"
              checked={(rule?.level ?? null) === value}
              onChange={() => save(value, keepMute(Date.now()))}
            />
            {value === null ? `Default (${levelName(inherited)})` : levelName(value)}
          </label>
        ))}
      </fieldset>
      <label className="flex flex-col gap-1 text-sm">
        <span className="font-semibold">Mute {name}</span>
        <select
          value={muted ? (rule?.mutedUntil ? 'keep' : 'forever') : 'off'}
          onChange={(e) => {
            const choice = e.target.value;
            if (choice === 'keep') return;
            save(
              rule?.level ?? null,
              choice === 'off' ? { muted: false, minutes: null } : { muted: true, minutes: choice === 'forever' ? null : Number(choice) },
            );
          }}
          className="rounded-md bg-zinc-100 px-2 py-1.5 dark:bg-zinc-800"
        >
          <option value="off">Not muted</option>
          {muted && rule?.mutedUntil && <option value="keep">{mutedText(rule, new Date(now))}</option>}
          {MUTE_CHOICES.map((c) => (
            <option key={c.label} value={c.minutes ?? 'forever'}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <p aria-live="polite" className="text-sm text-zinc-600 dark:text-zinc-400">
        {update.isPending ? 'Saving…' : muted && rule ? `${mutedText(rule, new Date(now))}.` : ''}
      </p>
      {update.isError && <Alert>{`Your change was not saved. ${errorMessage(update.error)}`}</Alert>}
    </div>
  );
}

/** Whether this conversation raises nothing now: muted, or set to notify of nothing (its own rule or its server's). */
function useQuiet(channelId: string, serverId: string | undefined) {
  const settings = useNotificationSettings();
  const serverRule = serverId ? settings.data?.servers.find((r) => r.id === serverId) : undefined;
  const channelRule = settings.data?.channels.find((r) => r.id === channelId);
  const now = useNow();
  return isMuted(channelRule, now) || isMuted(serverRule, now) || (channelRule?.level ?? serverRule?.level) === 'nothing';
}

const bellLabel = (quiet: boolean) => (quiet ? 'Notification settings (muted)' : 'Notification settings');

/** The phone's header menu item for the bell: the same name, and the same stroke across when muted. */
export function useNotificationMenuItem(channelId: string, serverId: string | undefined, control: PanelControl): HeaderMenuItem {
  const quiet = useQuiet(channelId, serverId);
  return { label: bellLabel(quiet), icon: <BellIcon muted={quiet} />, control };
}

/** The header's bell: this conversation's notification settings (and its server's), in a dialog. */
export function NotificationBell({
  channel,
  server,
  control: { open, onOpenChange },
  className = '',
}: {
  channel: { id: string; name: string };
  server?: { id: string; name: string };
  control: PanelControl;
  className?: string;
}) {
  const settings = useNotificationSettings();
  const serverRule = server && settings.data?.servers.find((r) => r.id === server.id);
  const quiet = useQuiet(channel.id, server?.id);
  const close = () => onOpenChange(false);
  return (
    <>
      <button
        type="button"
        aria-label={bellLabel(quiet)}
        title="Notification settings"
        onClick={() => onOpenChange(true)}
        className={`shrink-0 rounded p-1 text-zinc-600 hover:bg-zinc-200 dark:text-zinc-300 dark:hover:bg-zinc-700 ${className}`}
      >
        <BellIcon muted={quiet} />
      </button>
      {open && (
        <Dialog title="Notification settings" onClose={close}>
          {settings.isError ? (
            <Alert>{errorMessage(settings.error)}</Alert>
          ) : (
            <div className="flex flex-col gap-6">
              <RuleEditor scope="channels" id={channel.id} name={channel.name} inherited={serverRule?.level ?? defaultLevel(!server)} />
              {server && <RuleEditor scope="servers" id={server.id} name={server.name} inherited={defaultLevel(false)} />}
            </div>
          )}
          <div className="flex justify-end">
            <Button onClick={close}>Done</Button>
          </div>
        </Dialog>
      )}
    </>
  );
}

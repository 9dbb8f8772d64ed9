import { useState } from 'react';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import type { ReadyChannel } from '../gateway/protocol';

/**
 * The channel's name in its header, as a button that opens the channel's name and topic whole: a narrow header (a
 * phone, a tablet) has no room for the topic and cuts a long name short, as Discord's does, whose name opens the same.
 */
export function ChannelName({ channel }: { channel: ReadyChannel | undefined }) {
  const [open, setOpen] = useState(false);
  const mark = (
    <span aria-hidden="true" className="text-zinc-500">
      {channel?.type === 'voice' ? '🔊' : '#'}
    </span>
  );
  // The name cut short on its own (an Arabic name takes its direction from itself), the "#" before it.
  if (!channel)
    return (
      <h1 className="flex min-w-12 shrink-100 gap-1 font-semibold max-sm:shrink">
        {mark}
        <span className="truncate">No channel</span>
      </h1>
    );
  const name = channel.name ?? '';
  return (
    <>
      <h1 className="flex min-w-12 shrink-100 font-semibold max-sm:shrink">
        <button
          type="button"
          aria-haspopup="dialog"
          title={name}
          onClick={() => setOpen(true)}
          className="flex min-w-0 gap-1 rounded px-0.5 hover:bg-zinc-200 dark:hover:bg-zinc-700"
        >
          {mark}
          <span className="truncate">{name}</span>
        </button>
      </h1>
      {open && (
        <Dialog title={`#${name}`} onClose={() => setOpen(false)}>
          <div className="flex flex-col gap-1">
            <h3 className="text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">Topic</h3>
            <p className="max-h-[50vh] overflow-y-auto text-sm whitespace-pre-wrap break-words" data-testid="channel-topic">
              {channel.topic || 'No topic has been set for this channel.'}
            </p>
          </div>
          <Button className="self-end" onClick={() => setOpen(false)}>
            Close
          </Button>
        </Dialog>
      )}
    </>
  );
}

import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { SHORTCUTS } from './shortcuts';

/** Ctrl+/: the keyboard shortcuts, as Discord lists them. */
export default function ShortcutsSheet({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        {SHORTCUTS.map(({ keys, does }) => (
          <div key={does} className="contents">
            <dt>
              {keys.map((k, i) => (
                <span key={k}>
                  {i > 0 && ' or '}
                  <kbd className="rounded border border-zinc-400 px-1 font-mono text-xs dark:border-zinc-500">{k}</kbd>
                </span>
              ))}
            </dt>
            <dd>{does}</dd>
          </div>
        ))}
      </dl>
      <Button className="self-end" onClick={onClose}>
        Close
      </Button>
    </Dialog>
  );
}

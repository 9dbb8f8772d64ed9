import { useEffect, useId, useRef, useState } from 'react';
import { CATEGORIES, loadEmoji, searchEmoji, withSkin, type Emoji, type EmojiIndex } from './emojiData';
import { rememberEmoji, recentEmoji, setSkinTone, skinTone } from './recent';

const SKINS = ['No skin tone', 'Light skin tone', 'Medium-light skin tone', 'Medium skin tone', 'Medium-dark skin tone', 'Dark skin tone'];
const SKIN_SWATCH = ['👋', '👋🏻', '👋🏼', '👋🏽', '👋🏾', '👋🏿'];

/**
 * The full emoji picker (loaded on demand, with its data): search by name, shortcode or keyword, categories, recently
 * used, skin tones. A non-modal popover: Escape or picking closes it, and focus starts in the search box.
 */
export default function EmojiPicker({ label, onPick, onClose }: { label: string; onPick: (emoji: string) => void; onClose: () => void }) {
  const [index, setIndex] = useState<EmojiIndex | null>(null);
  const [failed, setFailed] = useState(false);
  const [query, setQuery] = useState('');
  const [group, setGroup] = useState<number | 'recent'>('recent');
  const [skin, setSkin] = useState(skinTone);
  const [recent] = useState(recentEmoji);
  const search = useRef<HTMLInputElement>(null);
  const headingId = useId();

  useEffect(() => {
    let live = true;
    loadEmoji().then(
      (loaded) => live && setIndex(loaded),
      () => live && setFailed(true),
    );
    search.current?.focus();
    return () => {
      live = false;
    };
  }, []);

  const pick = (emoji: string) => {
    rememberEmoji(emoji);
    onPick(emoji);
    onClose();
  };
  // Escape closes the picker (and only it: the dialog or view behind stays).
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      onClose();
    };
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  }, [onClose]);

  const shown: { title: string; items: { emoji: string; label: string }[] } = query.trim()
    ? {
        title: 'Search results',
        items: index ? searchEmoji(index, query).map((e) => ({ emoji: withSkin(e, skin), label: nameOf(e) })) : [],
      }
    : group === 'recent'
      ? {
          title: 'Recently used',
          items: recent.map((emoji) => ({ emoji, label: index?.all.find((e) => e.emoji === emoji)?.label ?? emoji })),
        }
      : {
          title: CATEGORIES.find((c) => c.group === group)!.label,
          items: (index?.byGroup.get(group) ?? []).map((e) => ({ emoji: withSkin(e, skin), label: nameOf(e) })),
        };

  return (
    <section
      aria-label={label}
      className="flex w-[22rem] max-w-[calc(100vw-2rem)] flex-col gap-2 rounded-lg border border-zinc-300 bg-white p-2 shadow-xl dark:border-zinc-700 dark:bg-zinc-900"
      data-testid="emoji-picker"
    >
      <div className="flex items-center gap-2">
        <input
          ref={search}
          type="search"
          aria-label="Search emoji"
          placeholder="Search emoji"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            const first = shown.items[0];
            if (e.key === 'Enter' && first) {
              e.preventDefault();
              pick(first.emoji);
            }
          }}
          className="min-w-0 flex-1 rounded-md bg-zinc-100 px-2 py-1 text-sm dark:bg-zinc-800"
        />
        <label className="sr-only" htmlFor={`${headingId}-skin`}>
          Skin tone
        </label>
        <select
          id={`${headingId}-skin`}
          value={skin}
          onChange={(e) => {
            const next = Number(e.target.value);
            setSkin(next);
            setSkinTone(next);
          }}
          className="rounded-md bg-zinc-100 px-1 py-1 text-sm dark:bg-zinc-800"
        >
          {SKINS.map((name, i) => (
            <option key={name} value={i}>
              {SKIN_SWATCH[i]} {name}
            </option>
          ))}
        </select>
      </div>
      <div role="group" aria-label="Categories" className="flex flex-wrap gap-0.5">
        <CategoryButton icon="🕘" label="Recently used" on={!query && group === 'recent'} onClick={() => select('recent')} />
        {CATEGORIES.map((c) => (
          <CategoryButton key={c.group} icon={c.icon} label={c.label} on={!query && group === c.group} onClick={() => select(c.group)} />
        ))}
      </div>
      <h3 id={headingId} className="text-xs font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400">
        {shown.title}
      </h3>
      <div role="group" aria-labelledby={headingId} className="grid max-h-64 grid-cols-8 gap-0.5 overflow-y-auto">
        {failed ? (
          <p className="col-span-8 text-sm text-red-700 dark:text-red-300">The emoji could not be loaded. Close this and try again.</p>
        ) : !index && group !== 'recent' ? (
          <p className="col-span-8 text-sm text-zinc-600 dark:text-zinc-400">Loading emoji…</p>
        ) : shown.items.length === 0 ? (
          <p className="col-span-8 text-sm text-zinc-600 dark:text-zinc-400">No emoji match “{query}”.</p>
        ) : (
          shown.items.map((item) => (
            <button
              key={item.emoji}
              type="button"
              aria-label={item.label}
              title={item.label}
              onClick={() => pick(item.emoji)}
              className="grid aspect-square place-items-center rounded text-2xl hover:bg-zinc-200 focus-visible:outline-2 focus-visible:outline-brand dark:hover:bg-zinc-700"
            >
              {item.emoji}
            </button>
          ))
        )}
      </div>
    </section>
  );

  function select(next: number | 'recent') {
    setQuery('');
    setGroup(next);
  }
}

const nameOf = (e: Emoji) => (e.shortcodes[0] ? `${e.label} (:${e.shortcodes[0]}:)` : e.label);

function CategoryButton({ icon, label, on, onClick }: { icon: string; label: string; on: boolean; onClick: () => void }) {
  return (
    <button
      type="button"
      aria-label={label}
      aria-pressed={on}
      title={label}
      onClick={onClick}
      className={`rounded p-1 text-lg ${on ? 'bg-brand/20' : 'hover:bg-zinc-200 dark:hover:bg-zinc-700'}`}
    >
      {icon}
    </button>
  );
}

import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { SearchIcon } from '../../ui/icons';
import { FILTER_KEYS, HAS_VALUES, filterValue, replaceToken, tokenAt, type CaretToken } from './syntax';

export interface SearchablePerson {
  username: string;
  name: string;
}

interface Suggestion {
  /** What replaces the word at the caret. */
  insert: string;
  label: string;
  detail?: string;
}

const today = () => new Date().toISOString().slice(0, 10);

/** What the word at the caret could become: a filter key, or a value for the filter being typed. */
function suggestionsFor(token: CaretToken, text: string, people: SearchablePerson[], channels: string[]): Suggestion[] {
  const value = token.value.toLowerCase();
  switch (token.key) {
    case 'from':
    case 'mentions':
      return people
        .filter((p) => p.username.toLowerCase().startsWith(value) || p.name.toLowerCase().startsWith(value))
        .slice(0, 8)
        .map((p) => ({ insert: `${token.key}:${p.username}`, label: p.name, detail: `@${p.username}` }));
    case 'in':
      return channels
        .filter((c) => c.toLowerCase().includes(value.replace(/^#/, '')))
        .slice(0, 8)
        .map((c) => ({ insert: `in:${filterValue(c)}`, label: `#${c}` }));
    case 'has':
      return HAS_VALUES.filter((v) => v.startsWith(value)).map((v) => ({ insert: `has:${v}`, label: v }));
    case 'pinned':
      return ['true', 'false'].filter((v) => v.startsWith(value)).map((v) => ({ insert: `pinned:${v}`, label: v }));
    case 'before':
    case 'after':
    case 'during':
      return value ? [] : [{ insert: `${token.key}:${today()}`, label: today(), detail: 'a date: YYYY-MM-DD' }];
    default: {
      // Help on an empty box; key completion while a word could still become one.
      if (token.text.includes(':') || (token.text === '' && text.trim() !== '')) return [];
      const word = token.text.toLowerCase();
      return FILTER_KEYS.filter((f) => f.key.startsWith(word)).map((f) => ({ insert: `${f.key}:`, label: `${f.key}:`, detail: f.hint }));
    }
  }
}

/**
 * The search box in a conversation's header: Ctrl/Cmd+F focuses it, Enter searches, and filters complete as they are
 * typed (`from:` and `mentions:` suggest people, `in:` channels, `has:` kinds, dates today's).
 */
export function SearchBox({
  placeholder,
  people,
  channels,
  onSearch,
  onClear,
}: {
  placeholder: string;
  people: SearchablePerson[];
  channels: string[];
  onSearch: (q: string) => void;
  onClear: () => void;
}) {
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [focused, setFocused] = useState(false);
  const [dismissed, setDismissed] = useState(false);
  const [active, setActive] = useState(-1);
  const inputRef = useRef<HTMLInputElement>(null);
  const listId = useId();

  // Ctrl/Cmd+F searches the conversation, as in other chat apps, instead of the browser's find in page.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        inputRef.current?.focus();
        inputRef.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const token = tokenAt(text, caret);
  const suggestions = focused && !dismissed ? suggestionsFor(token, text, people, channels) : [];
  // A filter value being typed offers its first match to Enter; key names and help wait for the arrows or Tab, so Enter
  // after an ordinary word ("f", "in") searches rather than turning it into a filter.
  const current =
    suggestions.length === 0 ? -1 : active >= 0 ? Math.min(active, suggestions.length - 1) : token.key && token.value ? 0 : -1;

  const edit = (value: string, at: number) => {
    setText(value);
    setCaret(at);
    setActive(-1);
    setDismissed(false);
  };

  const accept = (suggestion: Suggestion) => {
    const next = replaceToken(text, token, suggestion.insert);
    edit(next.text, next.caret);
    requestAnimationFrame(() => inputRef.current?.setSelectionRange(next.caret, next.caret));
  };

  const submit = () => {
    const q = text.trim();
    setDismissed(true);
    if (q) onSearch(q);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.nativeEvent.isComposing) return;
    if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && suggestions.length) {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : suggestions.length - 1;
      setActive(((current < 0 ? (step === 1 ? -1 : 0) : current) + step + suggestions.length) % suggestions.length);
    } else if (e.key === 'Tab' && suggestions.length && !e.shiftKey) {
      e.preventDefault();
      accept(suggestions[Math.max(current, 0)]!);
    } else if (e.key === 'Enter' && current >= 0 && suggestions[current]!.insert.toLowerCase() !== token.text.toLowerCase()) {
      e.preventDefault();
      accept(suggestions[current]!);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape') {
      if (suggestions.length) setDismissed(true);
      else inputRef.current?.blur();
    }
  };

  return (
    // Sized by its header's width (a container), not the window's: beside a tablet's channel list a fixed 240 px
    // squeezed the conversation's name to "…" and ran past the screen's edge. On a phone it is a magnifier until it
    // has the focus, and then spans the header: a box there took the room of half the conversation's name.
    <div
      className={`relative sm:w-36 sm:grow-0 @2xl:w-60 ${focused ? 'max-sm:absolute max-sm:inset-x-3 max-sm:top-2.5 max-sm:z-30' : 'max-sm:size-7 max-sm:shrink-0'}`}
      role="search"
    >
      {!focused && <SearchIcon className="pointer-events-none absolute top-1 left-1 size-5 text-zinc-600 sm:hidden dark:text-zinc-300" />}
      <input
        ref={inputRef}
        type="search"
        role="combobox"
        aria-label="Search messages"
        aria-expanded={suggestions.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={current >= 0 ? `${listId}-${current}` : undefined}
        placeholder={placeholder}
        value={text}
        maxLength={1024}
        onChange={(e) => {
          edit(e.target.value, e.target.selectionStart ?? e.target.value.length);
          if (!e.target.value) onClear();
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
        onKeyDown={onKeyDown}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
        className={`w-full rounded bg-zinc-200 px-2 py-1 text-sm placeholder:text-zinc-600 focus:outline-none focus-visible:outline-2 focus-visible:outline-brand dark:bg-zinc-900 dark:placeholder:text-zinc-400 ${focused ? '' : 'max-sm:h-full max-sm:bg-transparent max-sm:text-transparent max-sm:placeholder:text-transparent max-sm:[&::-webkit-search-cancel-button]:hidden'}`}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label="Search filters"
        hidden={suggestions.length === 0}
        className="absolute right-0 top-9 z-40 w-72 rounded-md border border-zinc-300 bg-white p-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
      >
        {suggestions.map((s, i) => (
          <li key={s.insert} id={`${listId}-${i}`} role="option" aria-selected={i === current}>
            <button
              type="button"
              tabIndex={-1}
              // Before the input's blur, so the click lands.
              onMouseDown={(e) => {
                e.preventDefault();
                accept(s);
              }}
              className={`flex w-full items-baseline justify-between gap-2 rounded px-2 py-1 text-left text-sm ${i === current ? 'bg-brand/20' : 'hover:bg-zinc-100 dark:hover:bg-zinc-800'}`}
            >
              <span className="truncate font-medium">{s.label}</span>
              {s.detail && <span className="truncate text-xs text-zinc-600 dark:text-zinc-400">{s.detail}</span>}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

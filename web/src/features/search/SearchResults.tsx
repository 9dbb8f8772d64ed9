import { useState } from 'react';
import { Link } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import type { Message, SearchHit } from '../../api/types';
import { Button } from '../../ui/Button';
import { mentionsAsText } from '../messages/markdown';
import type { MentionNames } from '../messages/Markdown';
import { displayName } from '../users/displayName';
import { MAX_OFFSET, SEARCH_PAGE, useMessageSearch, type SearchScope, type SearchSort } from './queries';
import { groupByChannel, highlightSegments, resultCount } from './syntax';

/** Below Tailwind's md: the screens where the panel covers the page rather than sitting beside it. */
/** Below lg the panel lies over the conversation (beside a tablet's channel list it left the conversation 72 px). */
const OVER_PAGE = '(max-width: 1023.98px)';

const when = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

function Context({ message, names }: { message: Message | null | undefined; names: MentionNames }) {
  if (!message) return null;
  return (
    <p className="truncate pl-3 text-xs text-zinc-600 dark:text-zinc-400">
      <span className="font-medium">{displayName(message.author)}</span> {mentionsAsText(message.content, names)}
    </p>
  );
}

/** One hit: the message with its matches marked, the messages around it muted; opens the channel at the message. */
function HitCard({ hit, to, onOpen, names }: { hit: SearchHit; to: string; onOpen: () => void; names: MentionNames }) {
  const m = hit.message;
  return (
    <Link
      to={to}
      onClick={onOpen}
      data-testid="search-hit"
      data-message-id={m.id}
      className="block rounded-md border border-zinc-200 bg-white p-2 hover:border-brand focus-visible:outline-2 focus-visible:outline-brand dark:border-zinc-700 dark:bg-zinc-900"
    >
      <Context message={hit.previous} names={names} />
      <div className="my-1">
        <div className="flex items-baseline gap-2">
          <span className="font-semibold">{displayName(m.author)}</span>
          <time dateTime={m.createdAt} className="text-xs text-zinc-600 dark:text-zinc-400">
            {when(m.createdAt)}
          </time>
        </div>
        <p className="line-clamp-6 whitespace-pre-wrap break-words text-sm" data-testid="search-hit-content">
          {/* The highlights are offsets in the raw text: each run reads its whole mentions as names. */}
          {highlightSegments(m.content, hit.highlights).map((s, i) =>
            s.highlighted ? (
              <mark key={i} className="rounded-sm bg-amber-200 px-0.5 text-zinc-900 dark:bg-amber-400/40 dark:text-amber-50">
                {mentionsAsText(s.text, names)}
              </mark>
            ) : (
              mentionsAsText(s.text, names)
            ),
          )}
        </p>
      </div>
      <Context message={hit.next} names={names} />
    </Link>
  );
}

/** What went wrong, in words that say what to do next. */
function SearchError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  let text = errorMessage(error);
  if (error instanceof ApiError && error.code === 'rate_limited')
    text = `You are searching very fast. Try again in ${error.retryAfterSeconds ?? 10} seconds.`;
  else if (error instanceof ApiError && error.code === 'validation_failed')
    text = Object.values(error.fieldErrors).flat().join(' ') || 'Check the search terms and filters.';
  return (
    <div role="alert" className="flex flex-col items-start gap-2 p-4 text-sm text-red-700 dark:text-red-400">
      <p>{text}</p>
      {!(error instanceof ApiError && error.code === 'validation_failed') && (
        <Button variant="secondary" onClick={onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}

/**
 * The results panel: "N results", the sort, hits grouped by channel, and pages. Keyed by the query where it is used, so
 * a new search starts at the first page.
 */
export function SearchResults({
  scope,
  q,
  channelName,
  linkTo,
  names,
  onClose,
}: {
  scope: SearchScope;
  q: string;
  channelName: (channelId: string) => string;
  linkTo: (hit: SearchHit) => string;
  names: MentionNames;
  onClose: () => void;
}) {
  const [sort, setSort] = useState<SearchSort>('newest');
  const [offset, setOffset] = useState(0);
  const { data, error, isPending, isFetching, isError, refetch } = useMessageSearch(scope, { q, sort, offset });
  const hits = data?.hits ?? [];
  // On a phone or a tablet the panel covers the conversation: opening a hit closes it, so the message it leads to is seen.
  const closeOnPhone = () => {
    if (window.matchMedia(OVER_PAGE).matches) onClose();
  };
  const pages = data ? Math.max(1, Math.ceil(data.totalResults / SEARCH_PAGE)) : 1;
  const page = offset / SEARCH_PAGE + 1;
  const hasNext = !!data && hits.length === SEARCH_PAGE && offset + SEARCH_PAGE <= MAX_OFFSET && (data.totalIsCapped || page < pages);

  return (
    <aside
      aria-label="Search results"
      className="flex w-full shrink-0 flex-col border-l border-zinc-200 bg-zinc-50 max-lg:fixed max-lg:inset-y-0 max-lg:right-0 max-lg:z-40 max-md:left-0 md:w-96 md:max-lg:shadow-xl dark:border-black/30 dark:bg-[#2b2d31]"
    >
      <div className="flex h-12 shrink-0 items-center gap-2 border-b border-zinc-200 px-3 dark:border-black/30">
        <h2 className="min-w-0 flex-1 truncate text-sm font-semibold" aria-live="polite">
          {isPending ? 'Searching…' : data ? resultCount(data.totalResults, data.totalIsCapped) : 'Search'}
        </h2>
        <label className="flex items-center gap-1 text-xs text-zinc-600 dark:text-zinc-400">
          Sort
          <select
            value={sort}
            onChange={(e) => {
              setSort(e.target.value as SearchSort);
              setOffset(0);
            }}
            className="rounded bg-zinc-200 px-1 py-0.5 text-xs text-zinc-900 dark:bg-zinc-800 dark:text-zinc-100"
          >
            <option value="newest">Newest</option>
            <option value="oldest">Oldest</option>
            <option value="relevance">Most relevant</option>
          </select>
        </label>
        <button type="button" aria-label="Close search results" onClick={onClose} className="rounded px-1 text-lg">
          ✕
        </button>
      </div>
      <div className="min-h-0 flex-1 space-y-3 overflow-y-auto p-3" aria-busy={isFetching}>
        {isError && <SearchError error={error} onRetry={() => void refetch()} />}
        {data && hits.length === 0 && !isError && (
          <div className="p-4 text-sm text-zinc-700 dark:text-zinc-300">
            <p className="font-semibold">No results for “{q}”.</p>
            <p className="mt-1 text-zinc-600 dark:text-zinc-400">
              Try fewer words, part of a word (“deplo” finds “deployment”), or remove a filter. Only channels you can read are searched.
            </p>
          </div>
        )}
        {groupByChannel(hits).map((group, i) => (
          <section key={`${group.channelId}-${i}`} aria-label={`Results in ${channelName(group.channelId)}`} className="space-y-1.5">
            <h3 className="text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">{channelName(group.channelId)}</h3>
            {group.hits.map((hit) => (
              <HitCard key={hit.message.id} hit={hit} to={linkTo(hit)} onOpen={closeOnPhone} names={names} />
            ))}
          </section>
        ))}
      </div>
      {data && (offset > 0 || hasNext) && (
        <nav
          aria-label="Result pages"
          className="flex items-center justify-between gap-2 border-t border-zinc-200 p-2 dark:border-black/30"
        >
          <Button variant="ghost" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - SEARCH_PAGE))}>
            Previous
          </Button>
          <span className="text-xs text-zinc-600 dark:text-zinc-400">
            Page {page}
            {data.totalIsCapped ? '' : ` of ${pages}`}
          </span>
          <Button variant="ghost" disabled={!hasNext} onClick={() => setOffset(offset + SEARCH_PAGE)}>
            Next
          </Button>
        </nav>
      )}
    </aside>
  );
}

import { useState, type ReactNode } from 'react';
import { SearchBox } from './SearchBox';
import { SearchResults } from './SearchResults';
import type { SearchSources } from './sources';

const scopeKey = (sources: SearchSources) => (sources.scope.kind === 'server' ? sources.scope.serverId : '@me');

/**
 * Search for a page: the box for its header and, once something is searched, the results panel for its side. A search
 * belongs to its scope: moving to another server closes it.
 */
export function useSearchUi(sources: SearchSources | null): { box: ReactNode; panel: ReactNode } {
  const [search, setSearch] = useState<{ scope: string; q: string } | null>(null);
  if (!sources) return { box: null, panel: null };
  const scope = scopeKey(sources);
  const q = search?.scope === scope ? search.q : null;
  return {
    box: (
      <SearchBox
        key={scope}
        placeholder={sources.placeholder}
        people={sources.people}
        channels={sources.channels}
        onSearch={(text) => setSearch({ scope, q: text })}
        onClear={() => setSearch(null)}
      />
    ),
    panel: q && (
      <SearchResults
        key={`${scope}:${q}`}
        scope={sources.scope}
        q={q}
        channelName={sources.channelName}
        linkTo={sources.linkTo}
        names={sources.names}
        onClose={() => setSearch(null)}
      />
    ),
  };
}

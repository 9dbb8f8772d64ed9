import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { MessageSearchResult } from '../../api/types';

/** Hits per results page (the server allows 1..25). */
export const SEARCH_PAGE = 25;

/** The server's deepest offset: results further down are reached by narrowing the query instead. */
export const MAX_OFFSET = 5000;

/** Where a search looks: every channel of a server the user may read, or all of their DMs and group DMs. */
export type SearchScope = { kind: 'server'; serverId: string } | { kind: 'dms' };

export type SearchSort = 'newest' | 'oldest' | 'relevance';

export interface SearchRequest {
  q: string;
  sort: SearchSort;
  offset: number;
}

export const searchKeys = {
  all: ['search'] as const,
  results: (scope: SearchScope, request: SearchRequest) =>
    ['search', scope.kind === 'server' ? scope.serverId : '@me', request.q, request.sort, request.offset] as const,
};

function fetchResults(scope: SearchScope, { q, sort, offset }: SearchRequest): Promise<MessageSearchResult> {
  const query = { q, sort, offset, limit: SEARCH_PAGE };
  return unwrap(
    scope.kind === 'server'
      ? api.GET('/api/v1/servers/{id}/messages/search', { params: { path: { id: scope.serverId }, query } })
      : api.GET('/api/v1/users/@me/messages/search', { params: { query } }),
  );
}

/**
 * One page of results, or nothing while no search is asked for. The previous page stays shown while the next loads;
 * results are a snapshot, refetched when asked again after a short while (what may be read can change).
 */
export function useMessageSearch(scope: SearchScope, request: SearchRequest | null) {
  return useQuery({
    queryKey: request ? searchKeys.results(scope, request) : [...searchKeys.all, 'idle'],
    queryFn: () => fetchResults(scope, request!),
    enabled: request !== null,
    placeholderData: keepPreviousData,
    staleTime: 15_000,
  });
}

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import { vi } from 'vitest';

/** Renders routes in a memory router with a fresh query client (no retries), starting at `path`. */
export function renderRoutes(routes: RouteObject[], path: string) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const view = render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { ...view, router, queryClient };
}

export interface SeenRequest {
  method: string;
  path: string;
  body: unknown;
}

/**
 * Replaces fetch with a fake server: `handle` answers each request (path without origin, parsed JSON body).
 * Returns the requests seen, in order.
 */
export function fakeFetch(handle: (request: SeenRequest) => Response | Promise<Response>) {
  const seen: SeenRequest[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const text = await input.text();
      const request = { method: input.method, path: new URL(input.url).pathname, body: text ? (JSON.parse(text) as unknown) : undefined };
      seen.push(request);
      return handle(request);
    }),
  );
  return seen;
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export const problem = (status: number, code: string, detail: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ status, code, detail }), { status, headers: { 'content-type': 'application/problem+json', ...headers } });

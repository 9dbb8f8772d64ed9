import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { RouterProvider } from 'react-router';
import { onSignedOut, tokenStore } from '../api/client';
import { ApiError } from '../api/errors';
import { ThemeProvider } from '../features/theme/ThemeProvider';
import { router } from './router';
import { clearLiveProfiles } from '../features/users/liveProfiles';
import { forgetResumableUploadsOnSignOut } from '../features/attachments/resumableUploads';

function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // Client errors (4xx) will not change by asking again; network and server errors may.
        retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      },
      // A change made while offline fails at once and says so ("Can't reach KamaChat", Retry), as a plain request
      // would, instead of waiting unseen until the browser reports the network back.
      mutations: { networkMode: 'always' },
    },
  });
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  // When the session ends underneath us, drop everything cached for it; the route guard sends us to /login.
  useEffect(
    () =>
      onSignedOut(() => {
        queryClient.clear();
        clearLiveProfiles();
      }),
    [queryClient],
  );
  useEffect(() => forgetResumableUploadsOnSignOut(tokenStore, window.localStorage), []);
  return (
    <ThemeProvider>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </ThemeProvider>
  );
}

import createClient from 'openapi-fetch';
import { createAuthFetch } from './authFetch';
import { clientConfig } from './config';
import { ApiError, toApiError } from './errors';
import type { paths } from './schema';
import { createTokenStore } from './tokens';

/** The one token store and API client of the app, for the configured server (config.ts). */
export const tokenStore = createTokenStore(clientConfig.tokenStorage);

const signedOutListeners = new Set<() => void>();
/** Runs when the session ends without the user asking (revoked elsewhere, refresh refused). */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

const authFetch = createAuthFetch({
  store: tokenStore,
  baseUrl: clientConfig.serverUrl,
  onSignedOut: () => signedOutListeners.forEach((listener) => listener()),
});

/** Renews the access token now through the same single-flight refresh; resolves with the new pair or null. */
export const renewTokens = () => authFetch.renew();

export const api = createClient<paths>({ baseUrl: clientConfig.serverUrl, fetch: authFetch });

/**
 * Awaits an openapi-fetch call and returns its data, or throws an ApiError (problem+json mapped, or a
 * network failure). Use inside TanStack Query functions and mutations.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (cause) {
    throw ApiError.network(cause);
  }
  if (!result.response.ok) throw toApiError(result.response.status, result.error, result.response.headers);
  return result.data as T;
}

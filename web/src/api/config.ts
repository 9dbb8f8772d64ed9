import { localStorageTokens, type TokenStorage } from './tokens';

/**
 * Where this client talks to and where it keeps the session's tokens. A page served by a KamaChat server needs
 * nothing: the defaults are that server (the page's origin) and localStorage. A host that runs the same build
 * elsewhere (the desktop app, a page on another origin) defines `window.__KAMACHAT_CONFIG__` before the app's
 * script runs, for example from a script file it serves or injects at document start:
 *
 *   window.__KAMACHAT_CONFIG__ = { serverUrl: 'https://chat.example.com', tokenStorage: keyringTokens };
 *
 * A global rather than a query parameter: it can carry a storage implementation, it survives navigation, and a
 * link cannot use it to point someone's client (and their password) at another server.
 */
export interface KamaChatConfig {
  /** The KamaChat server, e.g. "https://chat.example.com" (a path prefix is kept). Default: the page's origin. */
  serverUrl?: string;
  /** The gateway hub. Default: `${serverUrl}/hubs/gateway`. */
  hubUrl?: string;
  /** Where the tokens are kept between visits. Default: localStorage. */
  tokenStorage?: TokenStorage;
}

declare global {
  interface Window {
    __KAMACHAT_CONFIG__?: KamaChatConfig;
  }
}

export interface ClientConfig {
  /** Base of every API request and of links to the web client (invites), without a trailing slash. */
  serverUrl: string;
  hubUrl: string;
  tokenStorage: TokenStorage;
}

function absoluteHttpUrl(value: unknown, name: string): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new Error(`KamaChat configuration: ${name} must be an absolute URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`KamaChat configuration: ${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return url.href.replace(/\/+$/, '');
}

/** The effective configuration: what the host gave, checked, with defaults for the rest. Pure, so it is unit-tested. */
export function resolveConfig(given: KamaChatConfig | undefined, origin: string, defaultStorage: () => TokenStorage): ClientConfig {
  const serverUrl = absoluteHttpUrl(given?.serverUrl ?? origin, 'serverUrl');
  const hubUrl = given?.hubUrl !== undefined ? absoluteHttpUrl(given.hubUrl, 'hubUrl') : `${serverUrl}/hubs/gateway`;
  const storage = given?.tokenStorage;
  if (storage !== undefined && (typeof storage.load !== 'function' || typeof storage.save !== 'function')) {
    throw new Error('KamaChat configuration: tokenStorage needs load() and save() functions');
  }
  return { serverUrl, hubUrl, tokenStorage: storage ?? defaultStorage() };
}

/** This app's configuration, read once at start-up. */
export const clientConfig: ClientConfig = resolveConfig(window.__KAMACHAT_CONFIG__, window.location.origin, () =>
  localStorageTokens(window.localStorage, undefined, window),
);

/** An absolute URL on the configured server for a server path ("/invite/abc") or a URL it gave (kept as it is). */
export function onServer(pathOrUrl: string, config: Pick<ClientConfig, 'serverUrl'> = clientConfig): string {
  if (/^([a-z][a-z0-9+.-]*:|\/\/)/i.test(pathOrUrl)) return pathOrUrl;
  return `${config.serverUrl}${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`;
}

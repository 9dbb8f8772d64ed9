import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../test/memoryStorage';
import { onServer, resolveConfig } from './config';
import { localStorageTokens, type TokenStorage } from './tokens';

const origin = 'http://localhost:3000';
const browserDefault = () => localStorageTokens(memoryStorage());

describe('client configuration', () => {
  it('talks to the page’s own server by default', () => {
    const config = resolveConfig(undefined, origin, browserDefault);
    expect(config.serverUrl).toBe('http://localhost:3000');
    expect(config.hubUrl).toBe('http://localhost:3000/hubs/gateway');
  });

  it('points the API and the hub at a configured server, keeping its path prefix', () => {
    const config = resolveConfig({ serverUrl: 'https://chat.example.com/kama/' }, origin, browserDefault);
    expect(config.serverUrl).toBe('https://chat.example.com/kama');
    expect(config.hubUrl).toBe('https://chat.example.com/kama/hubs/gateway');
  });

  it('takes a hub URL of its own', () => {
    const config = resolveConfig(
      { serverUrl: 'https://chat.example.com', hubUrl: 'https://rt.example.com/hubs/gateway' },
      origin,
      browserDefault,
    );
    expect(config.hubUrl).toBe('https://rt.example.com/hubs/gateway');
  });

  it('refuses a server that is not an absolute http(s) URL', () => {
    expect(() => resolveConfig({ serverUrl: 'chat.example.com' }, origin, browserDefault)).toThrow(/serverUrl must be an absolute URL/);
    expect(() => resolveConfig({ serverUrl: 'javascript:alert(1)' }, origin, browserDefault)).toThrow(/http\(s\)/);
  });

  it('uses the host’s token storage instead of localStorage', () => {
    const keyring: TokenStorage = { load: async () => null, save: async () => {} };
    expect(resolveConfig({ tokenStorage: keyring }, origin, browserDefault).tokenStorage).toBe(keyring);
    expect(() => resolveConfig({ tokenStorage: {} as TokenStorage }, origin, browserDefault)).toThrow(/load\(\) and save\(\)/);
  });

  it('makes links absolute on the configured server and leaves full URLs alone', () => {
    const config = { serverUrl: 'https://chat.example.com' };
    expect(onServer('/invite/abc', config)).toBe('https://chat.example.com/invite/abc');
    expect(onServer('https://cdn.example.net/a.png', config)).toBe('https://cdn.example.net/a.png');
    expect(onServer('data:image/png;base64,AA', config)).toBe('data:image/png;base64,AA');
  });
});

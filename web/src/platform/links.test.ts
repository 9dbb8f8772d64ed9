import { describe, expect, it } from 'vitest';
import { linkToPath } from './links';

describe('kamachat links', () => {
  it('turns the known shapes into client paths, for both schemes', () => {
    expect(linkToPath('kamachat://invite/AbC-12_x')).toBe('/invite/AbC-12_x');
    expect(linkToPath('web+kamachat://invite/abc')).toBe('/invite/abc');
    expect(linkToPath('WEB+KAMACHAT://channels/@me/123')).toBe('/channels/@me/123');
    expect(linkToPath('kamachat://channels/123/456')).toBe('/channels/123/456');
    expect(linkToPath('kamachat://channels/123')).toBe('/channels/123');
    expect(linkToPath('kamachat://servers/1/channels/2')).toBe('/servers/1/channels/2');
    expect(linkToPath('kamachat://users/9')).toBe('/users/9');
    expect(linkToPath('web+kamachat:invite/abc')).toBe('/invite/abc');
  });

  it('refuses everything else', () => {
    for (const link of [
      'https://example.com/invite/abc',
      'kamachat://settings/account',
      'kamachat://channels/abc',
      'kamachat://channels/1/2/3',
      'kamachat://invite/abc?x=1',
      'kamachat://invite/a%2F..',
      'kamachat://invite/../../api',
      'kamachat://',
      'javascript:alert(1)',
    ]) {
      expect(linkToPath(link), link).toBeNull();
    }
  });
});

/**
 * Links in messages that leave KamaChat. A masked link's text can say anything, so before opening another site the
 * client shows the real address (as Discord does), unless the user chose to trust that site's links.
 */
export const TRUSTED_DOMAINS_KEY = 'kamachat.trustedDomains';

/**
 * The in-app path of a link to this KamaChat (a copied message link), or null for another site. `bases` are where
 * this KamaChat lives: the configured server (with its path prefix, if any) and the page's own origin.
 */
export function inAppPath(href: string, bases: readonly string[]): string | null {
  for (const base of bases) {
    const root = base.replace(/\/+$/, '');
    if (href.startsWith(`${root}/`)) return href.slice(root.length);
  }
  return null;
}

export function trustedDomains(storage: Storage): string[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(TRUSTED_DOMAINS_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((d): d is string => typeof d === 'string') : [];
  } catch {
    return [];
  }
}

export function isTrusted(storage: Storage, href: string): boolean {
  return trustedDomains(storage).includes(new URL(href).hostname);
}

export function trustDomain(storage: Storage, href: string): void {
  const host = new URL(href).hostname;
  const domains = trustedDomains(storage);
  if (!domains.includes(host)) storage.setItem(TRUSTED_DOMAINS_KEY, JSON.stringify([...domains, host]));
}

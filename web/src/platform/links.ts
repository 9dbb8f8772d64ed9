/**
 * KamaChat links outside the web: `kamachat://…` (the desktop app registers it with the desktop) and
 * `web+kamachat://…` (an installed web app registers it as its protocol handler). Both name the same things, and
 * only these, so a link on some web page can open an invite or a conversation and nothing else:
 *
 *   invite/CODE                → /invite/CODE
 *   channels/@me/ID            → /channels/@me/ID (a DM)
 *   channels/ID[/MESSAGE]      → /channels/ID[/MESSAGE] (the client finds the channel)
 *   servers/ID[/channels/ID]   → the same path
 *   users/ID                   → a profile
 *
 * desktop/KamaChat.Desktop/Integration/DeepLink.cs reads kamachat:// links by the same rules.
 */
export function linkToPath(link: string): string | null {
  const match = /^(?:web\+)?kamachat:(?:\/\/)?([^?#]*)$/i.exec(link.trim());
  if (!match) return null;
  const parts = match[1]!.split('/').filter((part) => part !== '');
  const segment = /^[A-Za-z0-9_@-]{1,64}$/;
  const id = /^\d{1,20}$/;
  if (parts.length === 0 || !parts.every((part) => segment.test(part))) return null;
  const [kind, a, b, c] = parts;
  const valid =
    (kind === 'invite' && parts.length === 2) ||
    (kind === 'channels' && a === '@me' && parts.length === 3 && id.test(b!)) ||
    (kind === 'channels' && parts.length === 2 && id.test(a!)) ||
    (kind === 'channels' && parts.length === 3 && id.test(a!) && id.test(b!)) ||
    (kind === 'servers' && parts.length === 2 && id.test(a!)) ||
    (kind === 'servers' && parts.length === 4 && id.test(a!) && b === 'channels' && id.test(c!)) ||
    (kind === 'users' && parts.length === 2 && id.test(a!));
  return valid ? `/${parts.join('/')}` : null;
}

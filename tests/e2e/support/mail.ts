import { expect } from '@playwright/test';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Without SMTP_URL the e2e server writes each mail as an .eml file into <KAMACHAT_DATA_DIR>/mail. */
function mailDir(): string {
  const dataDir = process.env.KAMACHAT_E2E_DATA_DIR;
  if (!dataDir) throw new Error('KAMACHAT_E2E_DATA_DIR is not set: global setup did not start the server');
  return path.join(dataDir, 'mail');
}

function decode(eml: string): string {
  // Quoted-printable bodies wrap long lines ("=\n") and escape '=' as "=3D"; plain 8-bit bodies are used as they are.
  if (!/Content-Transfer-Encoding:\s*quoted-printable/i.test(eml)) return eml;
  return eml.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The links to `route` in mails sent to `to`, newest mail first. */
function linksTo(to: string, route: string): string[] {
  const dir = mailDir();
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  const pattern = new RegExp(`https?://[^\\s"<>]+/${route}\\?[^\\s"<>]+`);
  const links: string[] = [];
  for (const file of files) {
    const eml = decode(readFileSync(file, 'utf8'));
    const recipient = /^To:\s*(.+)$/im.exec(eml)?.[1] ?? '';
    if (!recipient.toLowerCase().includes(to.toLowerCase())) continue;
    const link = pattern.exec(eml)?.[0];
    if (link) links.push(link.replace(/&amp;/g, '&'));
  }
  return links;
}

/**
 * Waits for a mail to `to` with a link to `route` (mail goes out through the job queue, so it arrives a moment
 * after the request) and returns the link's path and query, to open against the test server.
 * With `count`, waits until that many such mails arrived (the second one after a resend) and returns the newest.
 */
export async function mailedLink(to: string, route: string, count = 1): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(
      () => {
        const links = linksTo(to, route);
        link = links.length >= count ? links[0] : undefined;
        return link !== undefined;
      },
      { message: `a mail to ${to} with a /${route} link`, timeout: 15_000 },
    )
    .toBe(true);
  const url = new URL(link!);
  return `${url.pathname}${url.search}`;
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '../support/fixtures';
import { ApiUser, composer, logInAs } from '../support/chat';

const LIVE = { timeout: 30_000 };

test('a large file resumes after the connection drops mid-upload and is sent whole', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const owner = await ApiUser.register(baseURL!, 'tus');
  const { server, general } = await owner.createServer('Resumable');
  const a = await logInAs(browser, baseURL!, owner);
  await a.page.goto(`/servers/${server.id}/channels/${general.id}`);
  await expect(composer(a.page)).toBeVisible();

  // 12 MiB goes in 4 MiB chunks. The second chunk's connection drops while the browser is offline.
  const requests: string[] = [];
  let patches = 0;
  await a.page.route('**/attachments/tus**', async (route) => {
    const request = route.request();
    requests.push(request.method());
    if (request.method() === 'PATCH' && ++patches === 2) {
      await a.context.setOffline(true);
      await route.abort('internetdisconnected');
      setTimeout(() => void a.context.setOffline(false), 1500);
      return;
    }
    await route.continue();
  });
  const bytes = Buffer.alloc(12 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32LE(i, i);
  await a.page.getByTestId('attach-input').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: bytes });
  const tray = a.page.getByRole('list', { name: 'Files to send' });
  await expect(tray.getByText('big.bin')).toBeVisible();
  await expect(a.page.getByRole('progressbar')).toHaveCount(0, LIVE);
  await composer(a.page).press('Enter');
  await expect(tray).toHaveCount(0);

  // Resumed, not restarted: one upload created, its offset asked after the drop, and every byte arrived.
  expect(requests.filter((m) => m === 'POST')).toHaveLength(1);
  expect(requests).toContain('HEAD');
  // The tray empties when the send is queued; the message is the server's once the send has answered.
  const messages = () =>
    owner.call<{ attachments: { fileName: string; size: number }[] }[]>('GET', `/api/v1/channels/${general.id}/messages`);
  await expect.poll(async () => (await messages()).length, LIVE).toBe(1);
  const [message] = await messages();
  expect(message!.attachments.map((f) => [f.fileName, f.size])).toEqual([['big.bin', bytes.length]]);
  await expect(a.page.getByRole('main').getByText('big.bin')).toBeVisible();
  await a.context.close();
});

test('an upload cut short by a page reload resumes from the acknowledged offset when the same file is picked again', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const owner = await ApiUser.register(baseURL!, 'tusreload');
  const { server, general } = await owner.createServer('Resume after reload');
  const a = await logInAs(browser, baseURL!, owner);
  await a.page.goto(`/servers/${server.id}/channels/${general.id}`);
  await expect(composer(a.page)).toBeVisible();

  // A file on disk: its modification time is part of the fingerprint the upload is found again by.
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'kamachat-e2e-')), 'video.bin');
  const bytes = Buffer.alloc(12 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32LE(i ^ 0x5a5a5a5a, i);
  writeFileSync(file, bytes);

  // The first 4 MiB chunk is acknowledged; every later PATCH fails, as a connection that is gone.
  const sent: { method: string; offset: string | null }[] = [];
  let patches = 0;
  const firstChunkDone = new Promise<void>((resolve) => {
    void a.page.route('**/attachments/tus**', async (route) => {
      const request = route.request();
      if (request.method() !== 'PATCH') return route.continue();
      if (++patches > 1) return route.abort('connectionreset');
      await route.continue();
      await (await request.response())?.finished();
      resolve();
    });
  });
  await a.page.getByTestId('attach-input').setInputFiles(file);
  await firstChunkDone;
  // The page goes away while PATCHes still fail: lifted before the reload, tus's immediate retry could send the next
  // chunk first, and the resume would start past the offset this test checks.
  await a.page.reload();
  await a.page.unrouteAll({ behavior: 'ignoreErrors' });
  await expect(composer(a.page)).toBeVisible();
  a.page.on('request', (request) => {
    if (request.url().includes('/attachments/tus'))
      sent.push({ method: request.method(), offset: request.headers()['upload-offset'] ?? null });
  });
  await a.page.getByTestId('attach-input').setInputFiles(file);
  const tray = a.page.getByRole('list', { name: 'Files to send' });
  await expect(tray.getByRole('status')).toHaveText('Resuming where the earlier upload of this file stopped');
  await expect(a.page.getByRole('progressbar')).toHaveCount(0, LIVE);
  await composer(a.page).press('Enter');
  await expect(tray).toHaveCount(0);

  // No new upload: the stored one's offset asked, then only the bytes from the acknowledged 4 MiB on.
  expect(sent.filter((r) => r.method === 'POST')).toHaveLength(0);
  expect(sent.filter((r) => r.method === 'HEAD')).toHaveLength(1);
  expect(sent.find((r) => r.method === 'PATCH')?.offset).toBe(String(4 * 1024 * 1024));
  type Sent = { attachments: { fileName: string; size: number; state: string; url: string | null }[] };
  const messages = () => owner.call<Sent[]>('GET', `/api/v1/channels/${general.id}/messages`);
  // The message is the server's once the send has answered, and its file has a URL once processing (sniffing the
  // type, stripping) is done, after the send: before that the attachment is "pending" or "processing", without one.
  await expect.poll(async () => (await messages())[0]?.attachments[0]?.state, LIVE).toBe('ready');
  const [message] = await messages();
  expect(message!.attachments.map((f) => [f.fileName, f.size])).toEqual([['video.bin', bytes.length]]);
  const stored = await a.page.request.get(message!.attachments[0]!.url!);
  expect(Buffer.compare(await stored.body(), bytes)).toBe(0);
  await a.context.close();
});

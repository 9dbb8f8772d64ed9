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
  const [message] = await owner.call<{ attachments: { fileName: string; size: number }[] }[]>(
    'GET',
    `/api/v1/channels/${general.id}/messages`,
  );
  expect(message!.attachments.map((f) => [f.fileName, f.size])).toEqual([['big.bin', bytes.length]]);
  await expect(a.page.getByRole('main').getByText('big.bin')).toBeVisible();
  await a.context.close();
});

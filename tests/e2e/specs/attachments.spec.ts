import type { Page } from '@playwright/test';
import { expect, screenshot, test } from '../support/fixtures';
import { ApiUser, composer, logInAs } from '../support/chat';

const LIVE = { timeout: 20_000 };

/** A real PNG drawn by the page's own canvas (a gradient, so the thumbnail and its placeholder have something to show). */
async function drawPng(page: Page, width: number, height: number, hue: number): Promise<Buffer> {
  const base64 = await page.evaluate(
    ([w, h, hue]) => {
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const g = canvas.getContext('2d')!;
      const gradient = g.createLinearGradient(0, 0, w, h);
      gradient.addColorStop(0, `hsl(${hue} 80% 50%)`);
      gradient.addColorStop(1, `hsl(${hue + 120} 80% 40%)`);
      g.fillStyle = gradient;
      g.fillRect(0, 0, w, h);
      return canvas.toDataURL('image/png').split(',')[1]!;
    },
    [width, height, hue] as const,
  );
  return Buffer.from(base64, 'base64');
}

/** Pastes an image into the composer as a screenshot tool would put it on the clipboard. */
async function pasteImage(page: Page, png: Buffer) {
  await composer(page).evaluate(
    (box, bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
      box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    },
    [...png],
  );
}

test('images sent by the button and by paste appear live for the other member, who opens one; a file too large is refused', async ({
  browser,
  baseURL,
}) => {
  // Two signed-in browsers, three uploads and their processing: a long scenario on a shared two-core machine.
  test.setTimeout(90_000);
  const owner = await ApiUser.register(baseURL!, 'att');
  const other = await ApiUser.register(baseURL!, 'see');
  const { server, general } = await owner.createServer('Attachments');
  await other.joinServer(owner, server.id);
  const a = await logInAs(browser, baseURL!, owner);
  const b = await logInAs(browser, baseURL!, other);
  for (const { page } of [a, b]) {
    await page.goto(`/servers/${server.id}/channels/${general.id}`);
    await expect(composer(page)).toBeVisible();
  }

  // By the button: the file shows in the tray with its size, then goes with the caption.
  await a.page
    .getByTestId('attach-input')
    .setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: await drawPng(a.page, 800, 600, 10) });
  const tray = a.page.getByRole('list', { name: 'Files to send' });
  await expect(tray.getByText('sunset.png')).toBeVisible();
  await expect(a.page.getByRole('progressbar')).toHaveCount(0, LIVE); // uploaded
  await composer(a.page).fill('look at this');
  await composer(a.page).press('Enter');
  await expect(tray).toHaveCount(0);

  // By paste: a screenshot with no name of its own, sent without a caption.
  await pasteImage(a.page, await drawPng(a.page, 640, 360, 200));
  await expect(tray.getByText(/^pasted-.*\.png$/)).toBeVisible();
  await expect(a.page.getByRole('progressbar')).toHaveCount(0, LIVE);
  await composer(a.page).press('Enter');

  // The other member sees both thumbnails arrive (placeholder first, then the image) without reloading.
  const images = b.page.getByTestId('attachment-image');
  await expect(images).toHaveCount(2, LIVE);
  for (const img of await images.locator('img').all())
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth), LIVE).toBeGreaterThan(0);
  await expect(b.page.getByRole('button', { name: 'Open sunset.png' })).toBeVisible();

  // ... and opens one: the larger preview, and the original behind a signed link.
  await b.page.getByRole('button', { name: 'Open sunset.png' }).click();
  const lightbox = b.page.getByRole('dialog', { name: 'sunset.png' });
  await expect(lightbox.getByRole('img', { name: 'sunset.png' })).toBeVisible();
  const original = await lightbox.getByRole('link', { name: 'Open original' }).getAttribute('href');
  const response = await b.page.request.get(original!);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('image/png');
  expect(response.headers()['x-content-type-options']).toBe('nosniff');
  await screenshot(b.page, 'attachments-lightbox');
  await b.page.keyboard.press('Escape');
  await screenshot(b.page, 'attachments-channel');

  // A file over the server's limit (25 MiB by default) is refused in words, before a byte is sent.
  let uploads = 0;
  a.page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/attachments')) uploads++;
  });
  await a.page
    .getByTestId('attach-input')
    .setInputFiles({ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(26 * 1024 * 1024) });
  await expect(a.page.getByRole('alert').filter({ hasText: 'huge.bin is too large: files can be at most 25 MB.' })).toBeVisible();
  expect(uploads).toBe(0);
  await screenshot(a.page, 'attachments-too-large');

  await a.context.close();
  await b.context.close();
});

import { execFileSync } from 'node:child_process';
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

  // Next and previous step through the channel's images, by key and by button.
  await expect(lightbox.getByText('1 of 2')).toBeVisible();
  await expect(lightbox.getByRole('link', { name: 'Download' })).toHaveAttribute('download', 'sunset.png');
  await b.page.keyboard.press('ArrowRight');
  const pasted = b.page.getByRole('dialog', { name: /^pasted-.*\.png$/ });
  await expect(pasted.getByText('2 of 2')).toBeVisible();
  await expect(pasted.getByRole('button', { name: 'Next image' })).toBeDisabled();
  await pasted.getByRole('button', { name: 'Previous image' }).click();
  await expect(lightbox.getByText('1 of 2')).toBeVisible();

  // Zoom: + doubles, the image scales (and can be dragged), a double-click goes back to fit, the wheel zooms in.
  const zoom = lightbox.getByTestId('lightbox-zoom');
  const shown = lightbox.getByRole('img', { name: 'sunset.png' });
  await b.page.keyboard.press('+');
  await expect(zoom).toHaveText('200%');
  await expect(shown).toHaveAttribute('style', /scale\(2\)/);
  const stage = lightbox.getByTestId('lightbox-stage');
  const box = (await stage.boundingBox())!;
  await b.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await b.page.mouse.down();
  await b.page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 30, { steps: 4 });
  await b.page.mouse.up();
  await expect(shown).toHaveAttribute('style', /translate\(60px, 30px\) scale\(2\)/);
  await stage.dblclick();
  await expect(zoom).toHaveText('100%');
  await b.page.mouse.wheel(0, -300);
  await expect.poll(async () => parseInt((await zoom.textContent()) ?? '0', 10)).toBeGreaterThan(100);
  await b.page.keyboard.press('Escape');
  await expect(lightbox).toHaveCount(0);
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

test('an audio file plays with the waveform the server computed: drawn, progress over it, a click seeks', async ({ browser, baseURL }) => {
  test.setTimeout(60_000);
  const owner = await ApiUser.register(baseURL!, 'wave');
  const { server, general } = await owner.createServer('Audio');
  const a = await logInAs(browser, baseURL!, owner);
  await a.page.goto(`/servers/${server.id}/channels/${general.id}`);
  await expect(composer(a.page)).toBeVisible();

  // 4 s of a tone getting louder (ffmpeg, as the server uses): the waveform rises from left to right.
  const wav = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'aevalsrc=sin(440*2*PI*t)*t/4:d=4', '-f', 'wav', '-'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  await a.page.getByTestId('attach-input').setInputFiles({ name: 'tone.wav', mimeType: 'audio/wav', buffer: wav });
  await expect(a.page.getByRole('progressbar')).toHaveCount(0, LIVE);
  await composer(a.page).press('Enter');

  const player = a.page.getByTestId('attachment-audio');
  await expect(player).toBeVisible(LIVE);
  const waveform = player.getByRole('slider', { name: 'Position in tone.wav' });
  const bars = waveform.locator('span');
  await expect(bars).toHaveCount(100);
  const heights = await bars.evaluateAll((spans) => spans.map((s) => parseFloat((s as HTMLElement).style.height)));
  expect(heights[90]!).toBeGreaterThan(heights[10]! * 2); // louder at the end, as the tone is
  await expect(waveform).toHaveAttribute('data-played', '0');
  await screenshot(a.page, 'attachments-audio');

  // A click at 80 % (3.2 s) seeks there; the bars up to it are drawn as played.
  const box = (await waveform.boundingBox())!;
  await waveform.click({ position: { x: box.width * 0.8, y: box.height / 2 } });
  await expect(waveform).toHaveAttribute('aria-valuenow', '3');
  await expect(player.getByTestId('audio-time')).toHaveText('0:03 / 0:04');
  expect(Number(await waveform.getAttribute('data-played'))).toBeGreaterThanOrEqual(79);
  // ← seeks back five seconds: to the start.
  await waveform.press('ArrowLeft');
  await expect(waveform).toHaveAttribute('aria-valuenow', '0');
  await a.context.close();
});

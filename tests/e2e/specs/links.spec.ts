import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import { ApiUser, logInAs, logInOn, messageContent, pool } from '../support/chat';
import { expect, screenshot, test } from '../support/fixtures';

const LIVE = { timeout: 10_000 };

test('a link to a message far back opens the channel at it, new messages wait behind "Jump to present"', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const owner = await ApiUser.register(baseURL!, 'far');
  const server = await owner.call<{ id: string }>('POST', '/api/v1/servers', { name: 'Deep history' });
  const channels = await owner.call<{ id: string; type: string }[]>('GET', `/api/v1/servers/${server.id}/channels`);
  const general = channels.find((c) => c.type === 'text')!;
  const ids: string[] = [];
  await pool(160, 8, async (i) => {
    ids[i] = (await owner.send(general.id, `seed ${String(i + 1).padStart(3, '0')}`)).id;
  });
  const target = ids[19]!;

  // The service worker would fetch the preview's picture itself, past the test's hold on it (below).
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  const page = await context.newPage();
  await logInOn(page, owner);
  // The id-only form (kamachat://channels/ID/MESSAGE links) finds the server and lands on the message.
  await page.goto(`/channels/${general.id}/${target}`);
  await expect(page).toHaveURL(new RegExp(`/servers/${server.id}/channels/${general.id}/${target}$`), LIVE);
  const row = page.locator(`[data-message-id="${target}"]`);
  await expect(row).toHaveAttribute('aria-current', 'location', LIVE);
  await expect(row).toBeInViewport();
  await expect(messageContent(page, 'seed 160')).toHaveCount(0);

  // A new message is not shown next to old ones with the gap hidden; the way back to the present is offered.
  await owner.send(general.id, 'brand new');
  const present = page.getByRole('button', { name: /Jump to present/ });
  await expect(present).toBeVisible();
  await present.click();
  await expect(messageContent(page, 'brand new')).toHaveCount(1, LIVE);
  await expect(present).toHaveCount(0);
  await owner.send(general.id, 'live again');
  await expect(messageContent(page, 'live again')).toHaveCount(1, LIVE);

  // A link to a page gets its preview card live (the page on loopback, which the suite's server may fetch from), with
  // the page's picture as the server stored it, and its author removes it.
  const pages = await servePage(
    '<html><head><meta property="og:site_name" content="Loopback"><meta property="og:title" content="Release notes &amp; more">' +
      '<meta property="og:description" content="What changed this week."><meta property="og:image" content="/cover.png">' +
      '<meta name="twitter:card" content="summary_large_image"></head></html>',
    { '/cover.png': solidPng(800, 400) },
  );
  // The browser's copy of the picture comes late, so that a box sized only once the bytes came would be seen to move.
  let releasePicture = () => {};
  const pictureHeld = new Promise<void>((resolve) => (releasePicture = resolve));
  await page.route('**/media/link-images/**', async (route) => {
    await pictureHeld;
    await route.continue();
  });
  try {
    const url = `http://127.0.0.1:${(pages.address() as AddressInfo).port}/notes`;
    const linked = await owner.send(general.id, `read ${url}`);
    const card = page.locator(`[data-message-id="${linked.id}"]`).getByTestId('link-embed');
    await expect(card.getByRole('link', { name: 'Release notes & more' })).toHaveAttribute('href', url, LIVE);
    await expect(card).toContainText('What changed this week.');
    const picture = card.getByRole('img', { name: 'Release notes & more' });
    await expect(picture).toHaveAttribute('src', /\/media\/link-images\/[0-9a-f]{64}\.webp\?/);
    expect(await picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(false);
    const before = {
      card: await card.boundingBox(),
      picture: await picture.boundingBox(),
      row: await messageContent(page, 'live again').boundingBox(),
    };
    expect([before.picture!.width, before.picture!.height]).toEqual([400, 200]);
    releasePicture();
    await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.naturalWidth), LIVE).toBe(800);
    expect(await card.boundingBox()).toEqual(before.card);
    expect(await picture.boundingBox()).toEqual(before.picture);
    expect(await messageContent(page, 'live again').boundingBox()).toEqual(before.row);
    // The reader at the end stays at the end as the card arrives, and on a phone the card fits the width.
    await expect(card).toBeInViewport({ ratio: 1 });
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(card).toBeInViewport({ ratio: 1 });
    expect((await card.boundingBox())!.width).toBeLessThanOrEqual(390);
    await screenshot(page, 'link-preview-phone');
    await card.getByRole('button', { name: 'Remove preview' }).click();
    await expect(card).toHaveCount(0, LIVE);
  } finally {
    pages.close();
  }
  await context.close();
});

/** One HTML page on a free loopback port, at every path but those of `files` (PNG pictures). */
async function servePage(html: string, files: Record<string, Buffer> = {}): Promise<Server> {
  const server = createServer((request, response) => {
    const file = files[request.url ?? ''];
    response.writeHead(200, { 'content-type': file ? 'image/png' : 'text/html; charset=utf-8' });
    response.end(file ?? html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** A real PNG of one colour: signature, IHDR (8-bit RGB), the deflated rows, IEND. */
function solidPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, Buffer.from([0x3b, 0x82, 0xf6]))]);
  const rows = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('web+kamachat: links from the protocol handler open what they name, and nothing else', async ({ browser, baseURL }) => {
  const owner = await ApiUser.register(baseURL!, 'inv');
  const server = await owner.call<{ id: string }>('POST', '/api/v1/servers', { name: 'Handler guild' });
  const invite = await owner.call<{ code: string }>('POST', `/api/v1/servers/${server.id}/invites`, {
    maxUses: 0,
    maxAgeSeconds: 0,
    temporary: false,
  });
  const guest = await ApiUser.register(baseURL!, 'guest');
  const { context, page } = await logInAs(browser, baseURL!, guest);

  await page.goto(`/open?link=${encodeURIComponent(`web+kamachat://invite/${invite.code}`)}`);
  await expect(page).toHaveURL(new RegExp(`/invite/${invite.code}$`), LIVE);
  await expect(page.getByRole('heading', { name: 'Handler guild' })).toBeVisible();

  await page.goto(`/open?link=${encodeURIComponent('web+kamachat://settings/account')}`);
  await expect(page.getByRole('heading', { name: 'This link cannot be opened' })).toBeVisible();
  await context.close();
});

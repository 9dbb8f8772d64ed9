import type { Locator, Page } from '@playwright/test';
import { expect, expectAccessible, screenshot, test } from '../support/fixtures';
import { ApiUser, composer, logInAs } from '../support/chat';

/** A PNG drawn by the page's canvas: the left half red, the right half blue, so a crop shows which side it kept. */
async function redBluePng(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 400;
    canvas.height = 200;
    const g = canvas.getContext('2d')!;
    g.fillStyle = 'rgb(230, 20, 20)';
    g.fillRect(0, 0, 200, 200);
    g.fillStyle = 'rgb(20, 20, 230)';
    g.fillRect(200, 0, 200, 200);
    return canvas.toDataURL('image/png').split(',')[1]!;
  });
  return Buffer.from(base64, 'base64');
}

/** The colour at the middle of a loaded <img>, read back through a canvas (same origin, so not tainted). */
async function middleColour(image: Locator) {
  await expect(image).toHaveJSProperty('complete', true);
  return image.evaluate((img: HTMLImageElement) => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const [r, , b] = g.getImageData(img.naturalWidth / 2, img.naturalHeight / 2, 1, 1).data;
    return { r: r!, b: b! };
  });
}

test('an avatar uploaded with a crop shows, cropped, on another member’s screen', async ({ browser, baseURL }) => {
  test.setTimeout(60_000);
  const owner = await ApiUser.register(baseURL!, 'pic');
  const other = await ApiUser.register(baseURL!, 'viewer');
  const { server, general } = await owner.createServer('Pictures');
  await other.joinServer(owner, server.id);
  const a = await logInAs(browser, baseURL!, owner);

  await a.page.goto('/settings/profile');
  await a.page.getByLabel('Avatar file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await redBluePng(a.page) });
  const crop = a.page.getByRole('dialog', { name: 'Crop your avatar' });
  await expect(crop.getByTestId('crop-area').locator('img')).toBeVisible();
  // The centre square is half red, half blue; moved all the way right it is all blue.
  await crop.getByLabel('Left–right').fill('1');
  await screenshot(a.page, '40-avatar-crop');
  await crop.getByRole('button', { name: 'Apply' }).click();
  await expect(crop).toBeHidden();
  const me = await owner.call<{ avatarUrl: string }>('GET', '/api/v1/users/@me');
  expect(me.avatarUrl).toMatch(/^\/media\/public\/avatars\/\d+\/[0-9a-f]{32}\/128\.webp$/);
  await expect(a.page.locator(`img[src$="${me.avatarUrl}"]`).first()).toBeVisible();

  const b = await logInAs(browser, baseURL!, other);
  await b.page.goto(`/servers/${server.id}/channels/${general.id}`);
  await expect(composer(b.page)).toBeVisible();
  const shown = b.page.locator(`img[src$="${me.avatarUrl}"]`).first();
  await expect(shown).toBeVisible();
  const { r, b: blue } = await middleColour(shown);
  expect(blue).toBeGreaterThan(180);
  expect(r).toBeLessThan(80);
  await a.context.close();
  await b.context.close();
});

test('a server icon uploaded in settings shows in every member’s server rail', async ({ browser, baseURL }) => {
  test.setTimeout(60_000);
  const owner = await ApiUser.register(baseURL!, 'icon');
  const other = await ApiUser.register(baseURL!, 'member');
  const { server } = await owner.createServer('Iconic');
  await other.joinServer(owner, server.id);
  const a = await logInAs(browser, baseURL!, owner);
  const b = await logInAs(browser, baseURL!, other);
  const railOf = (page: Page) => page.getByRole('link', { name: 'Iconic' });
  await expect(railOf(b.page).getByTestId('server-initials')).toHaveText('I');

  await a.page.goto(`/servers/${server.id}/settings`);
  await a.page.getByLabel('Icon file').setInputFiles({ name: 'icon.png', mimeType: 'image/png', buffer: await redBluePng(a.page) });
  await a.page.getByRole('dialog', { name: 'Crop your icon' }).getByRole('button', { name: 'Apply' }).click();
  await expect(a.page.getByRole('dialog', { name: 'Crop your icon' })).toBeHidden();

  // The uploader's rail, and the other member's live (ServerUpdated), show the picture instead of the initials.
  for (const page of [a.page, b.page]) {
    await expect(railOf(page).getByTestId('server-icon')).toHaveAttribute('src', /\/media\/public\/icons\/\d+\/[0-9a-f]{32}\/128\.webp$/);
    await expect(railOf(page).getByTestId('server-initials')).toHaveCount(0);
  }
  await screenshot(b.page, '41-server-icon-rail');

  await a.page.getByRole('button', { name: 'Remove icon' }).click();
  await expect(railOf(b.page).getByTestId('server-initials')).toHaveText('I');
  await a.context.close();
  await b.context.close();
});

test('a new avatar and name show live on another member’s screen, in the messages and the member list, without a reload', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(60_000);
  const owner = await ApiUser.register(baseURL!, 'livepic');
  const other = await ApiUser.register(baseURL!, 'watcher');
  const { server, general } = await owner.createServer('Live pictures');
  await other.joinServer(owner, server.id);
  await owner.call('POST', `/api/v1/channels/${general.id}/messages`, { content: 'before my new picture' });

  // B is looking at the channel first: the message row and the member list show A's initial.
  const b = await logInAs(browser, baseURL!, other);
  await b.page.goto(`/servers/${server.id}/channels/${general.id}`);
  await expect(b.page.getByText('before my new picture')).toBeVisible();
  let reloads = 0;
  b.page.on('framenavigated', (frame) => {
    if (frame === b.page.mainFrame()) reloads++;
  });

  const a = await logInAs(browser, baseURL!, owner);
  await a.page.goto('/settings/profile');
  await a.page.getByLabel('Avatar file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await redBluePng(a.page) });
  const crop = a.page.getByRole('dialog', { name: 'Crop your avatar' });
  await crop.getByRole('button', { name: 'Apply' }).click();
  await expect(crop).toBeHidden();
  const me = await owner.call<{ avatarUrl: string }>('GET', '/api/v1/users/@me');

  // At least the message row and the member list entry switch to the new picture, with no navigation on B's side.
  const shown = b.page.locator(`img[src$="${me.avatarUrl}"]`);
  await expect.poll(() => shown.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  await expect(shown.first()).toHaveJSProperty('complete', true);
  expect(reloads).toBe(0);
  await screenshot(b.page, 'avatar-changed-live');

  // A new display name follows the same way, in the message row and the member list.
  await owner.call('PATCH', '/api/v1/users/@me', { displayName: 'Painted Owner' });
  await expect(b.page.getByTestId('author-name').filter({ hasText: 'Painted Owner' })).toHaveCount(1, { timeout: 10_000 });
  await expect(b.page.getByRole('complementary', { name: 'Members' }).getByText('Painted Owner')).toBeVisible();
  expect(reloads).toBe(0);
  await a.context.close();
  await b.context.close();
});

test('a group DM icon set by one participant shows in the other’s conversation list, live', async ({ browser, baseURL }) => {
  test.setTimeout(60_000);
  const me = await ApiUser.register(baseURL!, 'gicon');
  const kim = await ApiUser.register(baseURL!, 'gkim');
  const group = await me.call<{ id: string }>('POST', '/api/v1/users/@me/group-channels', { recipientIds: [kim.id] });
  const a = await logInAs(browser, baseURL!, me);
  const b = await logInAs(browser, baseURL!, kim);
  await b.page.goto('/channels/@me');
  const inList = b.page.locator(`a[href="/channels/@me/${group.id}"] img`);
  await expect(inList).toHaveCount(0);

  await a.page.goto(`/channels/@me/${group.id}`);
  await a.page.getByRole('complementary', { name: 'Group members' }).getByRole('button', { name: 'Group settings' }).click();
  const settings = a.page.getByRole('dialog', { name: 'Group settings' });
  await settings.getByLabel('Icon file').setInputFiles({ name: 'group.png', mimeType: 'image/png', buffer: await redBluePng(a.page) });
  const crop = a.page.getByRole('dialog', { name: 'Crop your icon' });
  await crop.getByLabel('Left–right').fill('1');
  await crop.getByRole('button', { name: 'Apply' }).click();
  await expect(crop).toBeHidden();
  await expect(settings.locator('img')).toHaveAttribute('src', /\/media\/public\/group-icons\/\d+\/[0-9a-f]{32}\/128\.webp$/);
  await expect(a.page.getByTestId('system-line').last()).toContainText("changed the group's icon");
  await expectAccessible(a.page);

  // Kim's list shows it through the gateway (DmChannelUpdated), cropped to the blue half.
  await expect(inList).toHaveAttribute('src', /\/media\/public\/group-icons\//);
  const { r, b: blue } = await middleColour(inList);
  expect(blue).toBeGreaterThan(180);
  expect(r).toBeLessThan(80);
  await screenshot(b.page, '42-group-icon-list');
  await a.context.close();
  await b.context.close();
});

test('a server banner set in settings tops another member’s channel sidebar, and a profile banner tops their profile card', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const owner = await ApiUser.register(baseURL!, 'banner');
  const other = await ApiUser.register(baseURL!, 'looker');
  await owner.call('PATCH', '/api/v1/users/@me', { displayName: 'Banner Owner' });
  const { server, general } = await owner.createServer('Bannered');
  await other.joinServer(owner, server.id);
  await owner.send(general.id, 'look at my banner');
  const a = await logInAs(browser, baseURL!, owner);
  const b = await logInAs(browser, baseURL!, other);
  await b.page.goto(`/servers/${server.id}/channels/${general.id}`);
  const sidebarBanner = b.page.getByRole('complementary', { name: 'Channels' }).getByRole('img', { name: 'Banner of Bannered' });
  await expect(composer(b.page)).toBeVisible();
  await expect(sidebarBanner).toHaveCount(0);

  // The server's banner, cropped at 5:2 to the right (blue) end of the picture.
  await a.page.goto(`/servers/${server.id}/settings`);
  await a.page.getByLabel('Banner file').setInputFiles({ name: 'banner.png', mimeType: 'image/png', buffer: await redBluePng(a.page) });
  const crop = a.page.getByRole('dialog', { name: 'Crop your banner' });
  await expect(crop.getByTestId('crop-area')).toHaveCSS('width', '400px');
  await expect(crop.getByTestId('crop-area')).toHaveCSS('height', '160px');
  await crop.getByLabel('Zoom').fill('2');
  await crop.getByLabel('Left–right').fill('1');
  await crop.getByRole('button', { name: 'Apply' }).click();
  await expect(crop).toBeHidden();
  await expect(a.page.getByRole('img', { name: 'Server banner' })).toHaveAttribute(
    'src',
    /\/media\/public\/server-banners\/\d+\/[0-9a-f]{32}\/600\.webp$/,
  );

  // The other member's sidebar shows it live (ServerUpdated), 600 × 240 and blue.
  await expect(sidebarBanner).toHaveAttribute('src', /\/media\/public\/server-banners\/\d+\/[0-9a-f]{32}\/600\.webp$/);
  expect(await sidebarBanner.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([600, 240]);
  const { r, b: blue } = await middleColour(sidebarBanner);
  expect(blue).toBeGreaterThan(180);
  expect(r).toBeLessThan(80);
  await screenshot(b.page, '43-server-banner-sidebar');

  // The owner's profile banner, centred, shows at the top of the card the other member opens.
  await a.page.goto('/settings/profile');
  await a.page.getByLabel('Banner file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await redBluePng(a.page) });
  await a.page.getByRole('dialog', { name: 'Crop your banner' }).getByRole('button', { name: 'Apply' }).click();
  await expect(a.page.getByRole('img', { name: 'Your banner' })).toHaveAttribute(
    'src',
    /\/media\/public\/banners\/\d+\/[0-9a-f]{32}\/600\.webp$/,
  );
  await b.page.getByTestId('message-row').getByRole('button', { name: 'Banner Owner' }).click();
  const card = b.page.getByRole('dialog', { name: 'Profile of Banner Owner' });
  await expect(card.getByRole('img', { name: 'Banner of Banner Owner' })).toHaveAttribute('src', /\/media\/public\/banners\//);
  await expect(card.getByRole('img', { name: 'Banner of Banner Owner' })).toHaveJSProperty('complete', true);
  await expectAccessible(b.page);
  await screenshot(b.page, '44-profile-banner-card');
  await a.context.close();
  await b.context.close();
});

test('the banner crop fits a phone’s screen, and what it keeps is the part it showed', async ({ browser, baseURL }) => {
  const owner = await ApiUser.register(baseURL!, 'phonebanner');
  const a = await logInAs(browser, baseURL!, owner, { width: 360, height: 740 });
  await a.page.goto('/settings/profile');
  await a.page.getByLabel('Banner file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await redBluePng(a.page) });
  const crop = a.page.getByRole('dialog', { name: 'Crop your banner' });
  const area = crop.getByTestId('crop-area');
  await expect(area).toBeVisible();
  const [frame, dialog] = [(await area.boundingBox())!, (await crop.boundingBox())!];
  expect(frame.x).toBeGreaterThanOrEqual(dialog.x);
  expect(frame.x + frame.width).toBeLessThanOrEqual(dialog.x + dialog.width);
  expect(frame.width / frame.height).toBeCloseTo(2.5, 1);
  // Nothing in the dialog scrolls sideways.
  expect(await crop.evaluate((d: HTMLElement) => d.scrollWidth <= d.clientWidth)).toBe(true);

  // Zoomed in and slid fully right, the kept banner is from the blue half.
  await crop.getByLabel('Zoom').fill('2');
  await crop.getByLabel('Left–right').fill('1');
  await crop.getByRole('button', { name: 'Apply' }).click();
  const banner = a.page.getByRole('img', { name: 'Your banner' });
  await expect(banner).toHaveAttribute('src', /\/media\/public\/banners\/\d+\/[0-9a-f]{32}\/600\.webp$/);
  const { r, b } = await middleColour(banner);
  expect(b).toBeGreaterThan(150);
  expect(r).toBeLessThan(100);
  await a.context.close();
});

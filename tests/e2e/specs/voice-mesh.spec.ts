import type { Browser, Page } from '@playwright/test';
import { ApiUser, logInAs } from '../support/chat';
import { expect, expectAccessible, screenshot } from '../support/fixtures';
import { expectHearing as expectHearingFrom, peerLaunchOptions, test } from '../support/peer-call-server';
import { peerAudio, type PeerAudio } from '../support/webrtc';

/**
 * Voice channels on a server without Janus: a peer-to-peer mesh. As in dm-call.spec.ts, media goes only through the
 * voice lab's coturn (the server runs with TURN_RELAY_ONLY, so the browsers get iceTransportPolicy "relay" and never
 * use the machine's own address). Two people in one voice channel hear each other (inbound audio bytes and decoded
 * energy grow, over relay candidate pairs); Voice & Video settings list Chromium's fake devices and the chosen
 * microphone is the one the call opens; in push-to-talk mode the other side receives audio only while the key is
 * held; deafening silences what the deafened user plays and mutes them for the others.
 */
test.use({ launchOptions: peerLaunchOptions });

function received(page: Page) {
  return peerAudio(page, 'kamachatVoice', 'meshStats');
}

function expectHearing(page: Page) {
  return expectHearingFrom(page, received);
}

/**
 * Waits until what `measure` takes from the page's received audio stops growing over a whole second (what was in
 * flight has drained): audio that still flows grows bytes and energy every 20 ms. Samples less than a second apart
 * say nothing (getStats is cached for a while), so the poll's answer only counts from a second on.
 */
async function expectStopped(page: Page, measure: (audio: PeerAudio) => number, message: string) {
  let last = { at: Date.now(), value: measure(await received(page)) };
  await expect
    .poll(
      async () => {
        const now = { at: Date.now(), value: measure(await received(page)) };
        if (now.at - last.at < 1_000) return Number.POSITIVE_INFINITY;
        const grown = now.value - last.value;
        last = now;
        return grown;
      },
      { intervals: [1_000], timeout: 15_000, message },
    )
    .toBeLessThan(1e-4);
}

/** No audio bytes arrive any more: the other side sends none. */
function expectNoAudio(page: Page) {
  return expectStopped(page, (audio) => audio.bytes, 'audio bytes should stop arriving');
}

/** Two members of a server with a voice channel, each signed in on a page of their own, on the server's page. */
async function twoMembers(browser: Browser, baseURL: string) {
  const owner = await ApiUser.register(baseURL, 'mesh');
  const guest = await ApiUser.register(baseURL, 'mesh');
  const { server, general } = await owner.createServer('Mesh test');
  const lounge = await owner.call<{ id: string }>('POST', `/api/v1/servers/${server.id}/channels`, { name: 'Lounge', type: 'voice' });
  await guest.joinServer(owner, server.id);
  const people = [await logInAs(browser, baseURL, owner), await logInAs(browser, baseURL, guest)];
  return { server, general, lounge, people, owner, guest };
}

async function join(page: Page, serverId: string) {
  await page.goto(`/servers/${serverId}`);
  await page.getByRole('button', { name: /^Lounge \(voice\)/ }).click();
  await expect(page.getByRole('region', { name: 'Voice' }).getByText('Voice connected')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('region', { name: 'Voice' })).toContainText('peer to peer');
}

test('two people in a voice channel without Janus hear each other peer to peer, through TURN only', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const { server, general, lounge, people, owner } = await twoMembers(browser, baseURL!);
  const [a, b] = people.map((p) => p.page);
  for (const page of [a, b]) await join(page, server.id);
  for (const page of [a, b]) await expect(page.getByRole('list', { name: 'In Lounge' }).getByRole('listitem')).toHaveCount(2);

  await expectHearing(a);
  await expectHearing(b);
  for (const page of [a, b]) expect((await received(page)).pairs).toEqual(['relay-relay']);
  await screenshot(a, '29-voice-mesh');

  // The voice channel's page (a #mention of it followed) offers no second Join to someone already in its call.
  await owner.send(general.id, `talk in <#${lounge.id}>`);
  await a
    .getByTestId('message-row')
    .filter({ hasText: 'talk in' })
    .getByRole('link', { name: /Lounge/ })
    .click();
  await expect(a.getByRole('status').filter({ hasText: 'You are in Lounge.' })).toBeVisible();
  await expect(a.getByRole('button', { name: 'Join voice' })).toHaveCount(0);
  await expect(b.getByRole('list', { name: 'In Lounge' }).getByRole('listitem')).toHaveCount(2);

  await b.getByRole('region', { name: 'Voice' }).getByRole('button', { name: 'Disconnect' }).click();
  await expect(a.getByRole('list', { name: 'In Lounge' }).getByRole('listitem')).toHaveCount(1);
  // A's connection to B is closed with B gone.
  await expect.poll(async () => (await received(a)).pairs.length).toBe(0);
  for (const { context } of people) await context.close();
});

test('Voice & Video settings list the fake devices, test the microphone, and the call opens the chosen one', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const { server, people } = await twoMembers(browser, baseURL!);
  const [a, b] = people.map((p) => p.page);
  await a.goto('/settings/voice');
  await expect(a.getByRole('heading', { name: 'Voice & Video' })).toBeVisible();
  const microphone = a.getByRole('combobox', { name: 'Microphone' });
  // Chromium's fake devices: a default input and two more, named at once (its fake UI has granted media access).
  await expect(microphone.getByRole('option', { name: 'Fake Audio Input 2' })).toHaveCount(1);
  await expect(a.getByRole('button', { name: 'Allow access' })).toHaveCount(0);
  await expect(a.getByRole('combobox', { name: 'Camera' }).getByRole('option', { name: /fake_device_0/ })).toHaveCount(1);
  await microphone.selectOption({ label: 'Fake Audio Input 2' });
  await expect(a.getByLabel('Echo cancellation')).toBeChecked();
  await expect(a.getByLabel('Noise suppression')).toBeChecked();

  await a.getByRole('button', { name: 'Test my microphone' }).click();
  // The fake microphone beeps, briefly, about twice a second: the meter holds each beep's peak for a while, so it moves off zero.
  await expect
    .poll(async () => Number(await a.getByRole('meter', { name: 'Input level' }).getAttribute('aria-valuenow')))
    .toBeGreaterThan(0);
  await expectAccessible(a);
  await screenshot(a, '30-voice-settings');
  await a.getByRole('button', { name: 'Stop test' }).click();

  for (const page of [a, b]) await join(page, server.id);
  const opened = () =>
    a.evaluate(
      () => (window as unknown as { kamachatVoice?: { devices(): { microphone: string | null } } }).kamachatVoice?.devices().microphone,
    );
  await expect.poll(opened).toBe('Fake Audio Input 2');
  await expectHearing(b);

  // Changed during the call: the call switches to it at once, and the other side still hears.
  // Through the app's own links: the call goes on while the settings are open.
  await a.getByRole('link', { name: 'User settings' }).first().click();
  await a.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Voice & Video' }).click();
  await a.getByRole('combobox', { name: 'Microphone' }).selectOption({ label: 'Fake Audio Input 1' });
  await expect.poll(opened).toBe('Fake Audio Input 1');
  await expectHearing(b);
  for (const { context } of people) await context.close();
});

test('push to talk: the other side receives audio only while the key is held', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const { server, people } = await twoMembers(browser, baseURL!);
  const [a, b] = people.map((p) => p.page);
  await a.goto('/settings/voice');
  await a.getByRole('radio', { name: /Push to talk/ }).check();
  await a.getByRole('button', { name: /Push-to-talk key/ }).click();
  await a.keyboard.press('KeyV');
  await expect(a.getByRole('button', { name: 'Push-to-talk key: V' })).toBeVisible();

  for (const page of [a, b]) await join(page, server.id);
  await expect(a.getByRole('region', { name: 'Voice' })).toContainText('Push to talk: hold the key to speak');
  await expectHearing(a);
  await expectNoAudio(b);

  await a.locator('body').click({ position: { x: 1, y: 1 } });
  await a.keyboard.down('KeyV');
  await expect(a.getByRole('region', { name: 'Voice' })).toContainText('Talking');
  await expectHearing(b);
  await a.keyboard.up('KeyV');
  await expectNoAudio(b);
  for (const { context } of people) await context.close();
});

test('deafening silences what the deafened user plays and mutes them for the others', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const { server, people } = await twoMembers(browser, baseURL!);
  const [a, b] = people.map((p) => p.page);
  for (const page of [a, b]) await join(page, server.id);
  await expectHearing(a);
  await expectHearing(b);
  const playing = (page: Page) =>
    page.evaluate(() => [...document.querySelectorAll<HTMLAudioElement>('audio[data-voice-user]')].map((e) => !e.muted && !e.paused));

  await a.getByRole('region', { name: 'Voice' }).getByRole('button', { name: 'Deafen' }).click();
  // The server marks a deafened member muted too; the others see both.
  const entry = b.getByRole('list', { name: 'In Lounge' });
  await expect(entry.getByText('muted')).toHaveCount(1);
  await expect(entry.getByText('deafened')).toHaveCount(1);
  await expect(a.getByRole('region', { name: 'Voice' }).getByRole('button', { name: 'Unmute' })).toBeVisible();
  // Nothing A receives is played; B hears nothing from A (A's microphone is off).
  expect(await playing(a)).not.toContain(true);
  await expectStopped(b, (audio) => audio.energy, 'the decoded audio energy should stop growing');

  await a.getByRole('region', { name: 'Voice' }).getByRole('button', { name: 'Undeafen' }).click();
  await expect(entry.getByText('muted')).toHaveCount(0);
  expect(await playing(a)).toContain(true);
  await expectHearing(b);

  // Muted, then deafened: Unmute undeafens too (as in Discord), and leaves A unmuted, not muted as before deafening.
  const voice = a.getByRole('region', { name: 'Voice' });
  await voice.getByRole('button', { name: 'Mute', exact: true }).click();
  await expect(entry.getByText('muted')).toHaveCount(1);
  await voice.getByRole('button', { name: 'Deafen', exact: true }).click();
  await expect(entry.getByText('deafened')).toHaveCount(1);
  await voice.getByRole('button', { name: 'Unmute', exact: true }).click();
  await expect(voice.getByRole('button', { name: 'Deafen', exact: true })).toHaveAttribute('aria-pressed', 'false');
  await expect(voice.getByRole('button', { name: 'Mute', exact: true })).toHaveAttribute('aria-pressed', 'false');
  await expect(entry.getByText('deafened')).toHaveCount(0);
  await expect(entry.getByText('muted')).toHaveCount(0);
  expect(await playing(a)).toContain(true);
  await expectHearing(b);
  for (const { context } of people) await context.close();
});

test("a moderator's server deafen: the member plays nothing and sends nothing until it is lifted", async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const { server, people, guest } = await twoMembers(browser, baseURL!);
  const [a, b] = people.map((p) => p.page);
  for (const page of [a, b]) await join(page, server.id);
  await expectHearing(a);
  await expectHearing(b);
  const playing = () =>
    b.evaluate(() => [...document.querySelectorAll<HTMLAudioElement>('audio[data-voice-user]')].map((e) => !e.muted && !e.paused));
  const entry = a.getByRole('list', { name: 'In Lounge' }).getByRole('listitem').filter({ hasText: guest.account.username });

  // The owner deafens the guest: the server ends the guest's mesh call and the client joins again, deafened.
  await entry.click({ button: 'right' });
  await a
    .getByRole('menu', { name: `Voice options for ${guest.account.username}` })
    .getByRole('menuitem', { name: 'Server deafen' })
    .click();
  await expect(entry.getByText('server deafened')).toHaveCount(1);
  await expect(b.getByRole('list', { name: 'In Lounge' }).getByRole('listitem')).toHaveCount(2);
  // The server cannot stop what reaches the guest's browser: once joined again, the client plays none of it...
  await expect
    .poll(async () => {
      const elements = await playing();
      return elements.length > 0 && !elements.includes(true);
    })
    .toBe(true);
  // ...and the server relays no offer of its audio, so the owner receives none.
  await expectNoAudio(a);

  await entry.click({ button: 'right' });
  await a.getByRole('menuitem', { name: 'Server undeafen' }).click();
  await expect(entry.getByText('server deafened')).toHaveCount(0);
  await expect.poll(playing).toContain(true);
  await expectHearing(a);
  for (const { context } of people) await context.close();
});

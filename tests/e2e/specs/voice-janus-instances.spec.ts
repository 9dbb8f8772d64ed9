import { createHash } from 'node:crypto';
import type { Page } from '@playwright/test';
import { ApiUser, logInAs } from '../support/chat';
import { expect, test as suite } from '../support/fixtures';
import { startServer } from '../support/server';
import { startVoiceLab, type VoiceLab } from '../support/voice-lab';
import { voiceLaunchOptions } from '../support/voice-server';

/**
 * Voice channels over two Janus instances (JANUS_URL lists both of a voice lab's): two voice channels whose rooms are
 * placed on different instances each carry real media, a publisher and a subscriber on each side, and each room is on
 * the instance rendezvous hashing picks (asked of that Janus directly) and not on the other.
 */
const test = suite.extend<object, { twoJanus: { baseURL: string; lab: VoiceLab } }>({
  twoJanus: [
    async ({}, use) => {
      const lab = await startVoiceLab({ janus: 2 });
      const server = await startServer({
        JANUS_URL: lab.janusUrls.join(','),
        JANUS_API_SECRET: lab.janusApiSecret,
        JANUS_ADMIN_KEY: lab.janusAdminKey,
        STUN_URLS: lab.stunUrl,
      });
      await use({ baseURL: server.baseURL, lab });
      await server.stop();
      await lab.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  baseURL: async ({ twoJanus }, use) => use(twoJanus.baseURL),
});

test.use({ launchOptions: voiceLaunchOptions });

/** The instance a room lives on, as the server computes it (JanusPlacement): the highest SHA-256 weight. */
function placement(urls: string[], roomId: string) {
  const weight = (url: string) =>
    createHash('sha256')
      .update(`${url.replace(/\/+$/, '')}\n${roomId}`)
      .digest()
      .readBigUInt64BE(0);
  return urls.reduce((best, url, i) => (weight(url) > weight(urls[best]) ? i : best), 0);
}

/** Who is in a room on one Janus, asked with a session of the test's own; null when that Janus has no such room. */
async function participants(lab: VoiceLab, janusUrl: string, roomId: string): Promise<string[] | null> {
  // The room id is a snowflake, beyond a JS number's exact range: it goes into the JSON as written.
  const post = async (url: string, body: object, room?: string) => {
    const text = JSON.stringify({ ...body, transaction: Math.random().toString(36).slice(2), apisecret: lab.janusApiSecret });
    const reply = await fetch(url, { method: 'POST', body: room ? text.replace('"@room"', room) : text });
    return (await reply.json()) as { data?: { id: number }; plugindata?: { data: Record<string, unknown> } };
  };
  const session = (await post(janusUrl, { janus: 'create' })).data!.id;
  try {
    const handle = (await post(`${janusUrl}/${session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data!.id;
    const reply = await post(
      `${janusUrl}/${session}/${handle}`,
      {
        janus: 'message',
        body: { request: 'listparticipants', room: '@room' },
      },
      roomId,
    );
    const data = reply.plugindata!.data;
    if (data.error_code === 426) return null;
    return (data.participants as { display: string }[]).map((p) => p.display).sort();
  } finally {
    await post(`${janusUrl}/${session}`, { janus: 'destroy' });
  }
}

async function decodedAudioEnergy(page: Page) {
  return page.evaluate(async () => {
    const call = (window as unknown as { kamachatVoice?: { receiverStats(): Promise<RTCStatsReport | null> } }).kamachatVoice;
    let energy = 0;
    (await call?.receiverStats())?.forEach((s: { type: string; kind?: string; totalAudioEnergy?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') energy += s.totalAudioEnergy ?? 0;
    });
    return energy;
  });
}

test('two voice channels on different Janus instances each carry their media', async ({ browser, baseURL, twoJanus }) => {
  test.setTimeout(120_000);
  const { lab } = twoJanus;
  expect(lab.janusUrls).toHaveLength(2);
  const owner = await ApiUser.register(baseURL!, 'voice');
  const guest = await ApiUser.register(baseURL!, 'voice');
  const { server } = await owner.createServer('Two Janus');
  await guest.joinServer(owner, server.id);
  // Voice channels until one is placed on each instance (each new one lands on either with even odds).
  const channels: ({ id: string; name: string } | undefined)[] = [undefined, undefined];
  for (let n = 1; channels.some((c) => !c); n++) {
    const channel = await owner.call<{ id: string; name: string }>('POST', `/api/v1/servers/${server.id}/channels`, {
      name: `Room ${n}`,
      type: 'voice',
    });
    channels[placement(lab.janusUrls, channel.id)] ??= channel;
  }

  const people = [await logInAs(browser, baseURL!, owner), await logInAs(browser, baseURL!, guest)];
  for (const { page } of people) await page.goto(`/servers/${server.id}`);
  for (const [i, channel] of channels.entries()) {
    for (const { page } of people) {
      await page.getByRole('button', { name: new RegExp(`^${channel!.name} \\(voice\\)`) }).click();
      await expect(page.getByRole('region', { name: 'Voice' }).getByText('Voice connected')).toBeVisible({ timeout: 15_000 });
    }
    for (const { page } of people)
      await expect(page.getByRole('list', { name: `In ${channel!.name}` }).getByRole('listitem')).toHaveCount(2);
    // Each side publishes its microphone and receives (decodes) the other's, through this channel's instance.
    for (const { page } of people)
      await expect
        .poll(() => decodedAudioEnergy(page), { timeout: 15_000, message: 'decoded audio energy should grow' })
        .toBeGreaterThan(0);
    expect(await participants(lab, lab.janusUrls[i], channel!.id)).toEqual([owner.id, guest.id].sort());
    expect(await participants(lab, lab.janusUrls[1 - i], channel!.id)).toBeNull();
    for (const { page } of people) {
      await page.getByRole('region', { name: 'Voice' }).getByRole('button', { name: 'Disconnect' }).click();
      await expect(page.getByRole('region', { name: 'Voice' })).toHaveCount(0);
    }
  }
  for (const { context } of people) await context.close();
});

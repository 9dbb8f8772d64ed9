import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { repo } from './paths';

/**
 * The voice lab (tests/support/voice-lab.sh): a throwaway Janus (VideoRoom) and coturn in a network namespace of
 * their own, joined to the host by a veth pair on a private 10.213.N.0/24 that the script picks and uses only there.
 *
 * How Chromium reaches it: the browser stays in the host namespace, where the host end of the veth pair has
 * 10.213.N.1 and a connected route to the lab's 10.213.N.2. Chromium gathers a host candidate on 10.213.N.1, Janus
 * (which gathers nothing on loopback, and has only the veth in its namespace) offers 10.213.N.2, and ICE pairs them.
 * The lab namespace has no other route, so Janus and coturn can only ever send to the host end of the pair; test
 * traffic never reaches the machine's real interface. The pages themselves are served by Playwright's router on
 * http://localhost (a secure origin for getUserMedia, no server behind it).
 *
 * Needs root (as CI has). The script is its own watchdog: it tears everything down on stop(), or within a second
 * once this process is gone, however it ended.
 */
export interface VoiceLab {
  namespace: string;
  hostAddress: string;
  labAddress: string;
  /** Janus's HTTP API, e.g. http://10.213.7.2:8088/janus */
  janusUrl: string;
  /** Every Janus instance's HTTP API (the first is janusUrl); more than one with `janus` in startVoiceLab's options. */
  janusUrls: string[];
  janusApiSecret: string;
  /** The VideoRoom plugin's admin_key (needed to create rooms). */
  janusAdminKey: string;
  /** coturn, e.g. turn:10.213.7.2:3478 (UDP and TCP), with use-auth-secret. */
  turnUrl: string;
  turnSecret: string;
  turnRealm: string;
  stunUrl: string;
  logDirectory: string;
  stop(): Promise<void>;
}

export async function startVoiceLab(options: { sessionTimeoutSeconds?: number; janus?: number } = {}): Promise<VoiceLab> {
  const args = [path.join(repo, 'tests/support/voice-lab.sh'), '--parent', String(process.pid)];
  if (options.sessionTimeoutSeconds) args.push('--session-timeout', String(options.sessionTimeoutSeconds));
  if (options.janus) args.push('--janus', String(options.janus));
  const child: ChildProcess = spawn('bash', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk) => {
    errors += chunk;
  });
  const lines = createInterface({ input: child.stdout! });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for await (const line of lines) {
    if (line.startsWith('READY ')) {
      const info = JSON.parse(line.slice('READY '.length)) as Omit<VoiceLab, 'stop'>;
      return {
        ...info,
        async stop() {
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (line.startsWith('FAILED ')) throw new Error(`The voice lab did not start: ${line.slice('FAILED '.length)}`);
  }
  throw new Error(`The voice lab exited without starting: ${errors}`);
}

/**
 * A TURN REST API credential (what the server's IceServers hands out, computed independently here):
 * username "expiry:userId", password base64(HMAC-SHA1(secret, username)).
 */
export function turnCredential(secret: string, userId: string, expiresAt: Date): { username: string; credential: string } {
  const username = `${Math.floor(expiresAt.getTime() / 1000)}:${userId}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

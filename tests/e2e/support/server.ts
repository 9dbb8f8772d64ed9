import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repo } from './paths';

export interface RunningServer {
  baseURL: string;
  pid: number;
  dataDir: string;
  /** Stops this server (only its own process, by pid) and removes its data unless KAMACHAT_E2E_KEEP_DATA is set. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const webRoot = path.join(repo, 'web/dist');

/**
 * Starts the real KamaChat server (built beforehand by ./kamachat: web/dist and .artifacts/server) on a free loopback
 * port with a fresh data directory and `env` on top of the suite's settings, and waits until it answers /healthz.
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dll = path.join(repo, '.artifacts/server/KamaChat.Server.dll');
  for (const [what, file] of [
    ['server', dll],
    ['web client', path.join(webRoot, 'index.html')],
  ] as const) {
    if (!existsSync(file)) {
      throw new Error(
        `The ${what} is not built (${file} is missing). Run ./kamachat test, or: ` +
          '(cd web && npm run build) && dotnet build src/KamaChat.Server -c Release -o .artifacts/server',
      );
    }
  }

  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kamachat-e2e-'));
  const logFile = path.join(dataDir, 'server.log');
  const log = openSync(logFile, 'a');
  const baseURL = `http://127.0.0.1:${port}`;
  const child = spawn('dotnet', [dll], {
    cwd: dataDir,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      KAMACHAT_DATA_DIR: dataDir,
      NODE_ENV: 'development',
      KAMACHAT_WEB_ROOT: webRoot,
      // Links in the mailed .eml files (support/mail.ts) point at this server.
      PUBLIC_URL: baseURL,
      // Every test signs up and logs in from 127.0.0.1; the per-address limits are for real clients, not a suite.
      RateLimits__Register__PerIp: '10000',
      RateLimits__Login__PerIp: '10000',
      RateLimits__Mfa__PerIp: '10000',
      RateLimits__VerificationResend__PerIp: '10000',
      RateLimits__PasswordReset__PerIp: '10000',
      RateLimits__Register__PerAccount: '10000',
      RateLimits__Login__PerAccount: '10000',
      // Tests send bursts (20 messages while the other user is offline) faster than a person would.
      RateLimits__MessageSend__PerAccount: '10000',
      ASPNETCORE_ENVIRONMENT: '',
      DOTNET_ENVIRONMENT: '',
      ...env,
    },
    stdio: ['ignore', log, log],
    detached: false,
  });

  let exited: number | null = null;
  child.on('exit', (code) => {
    exited = code ?? -1;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`The server exited (${exited}) during start-up:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    try {
      const response = await fetch(`${baseURL}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The server did not become healthy within 60 s:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const pid = child.pid!;
  return { baseURL, pid, dataDir, stop: () => stopServer(pid, dataDir) };
}

/** Stops a server started by {@link startServer} (possibly in another process: global setup and teardown are two). */
export async function stopServer(pid: number, dataDir: string) {
  try {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 40; i++) {
      process.kill(pid, 0);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    process.kill(pid, 'SIGKILL');
  } catch {
    // exited
  }
  if (!process.env.KAMACHAT_E2E_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
}

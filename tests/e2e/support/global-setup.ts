import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repo, stateFile } from './paths';


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

/**
 * Starts the real KamaChat server (built beforehand by ./kamachat: web/dist and .artifacts/server) on a free
 * loopback port with a fresh data directory, and waits until it answers /healthz.
 */
export default async function globalSetup() {
  const dll = path.join(repo, '.artifacts/server/KamaChat.Server.dll');
  const webRoot = path.join(repo, 'web/dist');
  for (const [what, file] of [['server', dll], ['web client', path.join(webRoot, 'index.html')]] as const) {
    if (!existsSync(file)) {
      throw new Error(`The ${what} is not built (${file} is missing). Run ./kamachat test, or: ` +
        '(cd web && npm run build) && dotnet build src/KamaChat.Server -c Release -o .artifacts/server');
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
      // Access tokens live 1 s (+30 s the server allows for clock skew), so token refresh happens for real.
      KAMACHAT_ACCESS_TOKEN_LIFETIME: '00:00:01',
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
      // A Janus on this machine's own interface is no place for test media: calls run peer to peer here.
      KAMACHAT_LOCAL_JANUS: 'off',
      ASPNETCORE_ENVIRONMENT: '',
      DOTNET_ENVIRONMENT: '',
    },
    stdio: ['ignore', log, log],
    detached: false,
  });
  mkdirSync(path.dirname(stateFile), { recursive: true });
  writeFileSync(stateFile, JSON.stringify({ pid: child.pid, dataDir, baseURL }));

  let exited: number | null = null;
  child.on('exit', (code) => { exited = code ?? -1; });
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
  process.env.KAMACHAT_E2E_URL = baseURL;
  process.env.KAMACHAT_E2E_DATA_DIR = dataDir;
  console.log(`[e2e] KamaChat server at ${baseURL} (pid ${child.pid}, data ${dataDir})`);
}

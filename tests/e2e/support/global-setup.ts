import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stateFile } from './paths';
import { startServer, webRoot } from './server';
import { serveWebClient } from './shell';

/**
 * Starts the suite's KamaChat server (support/server.ts) and the built client on another origin, and publishes where
 * they are. Access tokens have their normal lifetime here: a connection lives as long as its token, so tokens of a
 * second would close every gateway connection within a second, often before its Ready. The one spec about expired
 * tokens (refresh.spec.ts) runs its own server with 1-second tokens.
 */
export default async function globalSetup() {
  // The built client from another origin too, as the desktop app hosts it (specs/hosted-client.spec.ts).
  const shell = await serveWebClient(webRoot);
  const server = await startServer({
    // The hosted-client tests run the web client from another origin, as the desktop app does.
    KAMACHAT_CORS_ORIGINS: shell.origin,
    // Link previews fetch only public addresses; the suite's pages are served from loopback (specs/links.spec.ts).
    LINK_PREVIEW_ALLOW_NETWORKS: '127.0.0.0/8',
  });
  const { baseURL, pid, dataDir } = server;
  mkdirSync(path.dirname(stateFile), { recursive: true });
  writeFileSync(stateFile, JSON.stringify({ pid, dataDir, baseURL }));
  process.env.KAMACHAT_E2E_URL = baseURL;
  process.env.KAMACHAT_E2E_DATA_DIR = dataDir;
  process.env.KAMACHAT_E2E_SHELL = shell.origin;
  console.log(`[e2e] KamaChat server at ${baseURL} (pid ${pid}, data ${dataDir}); web client also at ${shell.origin}`);
  // Runs before global teardown: the client's server lives in this process.
  return () => new Promise<void>((resolve) => shell.server.close(() => resolve()));
}

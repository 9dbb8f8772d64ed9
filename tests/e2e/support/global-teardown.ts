import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { screenshotDir, stateFile } from './paths';

/** Stops the server that global setup started (only that process, by its pid) and removes its data. */
export default async function globalTeardown() {
  if (existsSync(stateFile)) {
    const { pid, dataDir } = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number; dataDir: string };
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
    rmSync(stateFile, { force: true });
  }
  console.log(`[e2e] screenshots: ${path.resolve(screenshotDir)}`);
}

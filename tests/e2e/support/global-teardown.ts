import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { screenshotDir, stateFile } from './paths';
import { stopServer } from './server';

/** Stops the server that global setup started (only that process, by its pid) and removes its data. */
export default async function globalTeardown() {
  if (existsSync(stateFile)) {
    const { pid, dataDir } = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number; dataDir: string };
    await stopServer(pid, dataDir);
    rmSync(stateFile, { force: true });
  }
  console.log(`[e2e] screenshots: ${path.resolve(screenshotDir)}`);
}

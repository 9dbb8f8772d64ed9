import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../../..');
export const stateFile = path.join(here, '..', 'test-results', '.server.json');
export const screenshotDir = path.join(here, '..', 'screenshots');

// Regenerates src/api/schema.d.ts from the server's OpenAPI document.
// With a server running (KAMACHAT_URL, default http://localhost:3000) the document is fetched first and
// src/api/openapi.json updated; otherwise the committed openapi.json is used as it is.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const base = process.env.KAMACHAT_URL ?? 'http://localhost:3000';
const jsonPath = here('../src/api/openapi.json');

try {
    const response = await fetch(`${base}/openapi/v1.json`, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    writeFileSync(jsonPath, JSON.stringify(await response.json(), null, 4) + '\n');
    console.log(`gen:api: fetched ${base}/openapi/v1.json`);
} catch (error) {
    console.log(`gen:api: no server at ${base} (${error.message}); using the committed src/api/openapi.json`);
}

execFileSync('npx', ['openapi-typescript', jsonPath, '-o', here('../src/api/schema.d.ts')], { stdio: 'inherit' });

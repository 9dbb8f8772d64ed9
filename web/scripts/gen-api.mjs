// Regenerates src/api/schema.d.ts from the server's OpenAPI document: the REST API and the gateway's contract
// (hub messages such as ReadyPayload and GatewayEvent, and GatewayEventData, every event's data keyed by type).
// With a server running (KAMACHAT_URL, default http://localhost:3000) the document is fetched first and
// src/api/openapi.json updated; otherwise the committed openapi.json is used as it is.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const base = process.env.KAMACHAT_URL ?? 'http://localhost:3000';
const jsonPath = here('../src/api/openapi.json');

try {
    const response = await fetch(`${base}/openapi/v1.json`, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const document = await response.json();
    // The address it was fetched from says nothing about the API; leaving it out keeps the committed file stable.
    delete document.servers;
    writeFileSync(jsonPath, JSON.stringify(document, null, 4) + '\n');
    console.log(`gen:api: fetched ${base}/openapi/v1.json`);
} catch (error) {
    console.log(`gen:api: no server at ${base} (${error.message}); using the committed src/api/openapi.json`);
}

// src/features/gateway/protocol.ts names these; a document from a server that does not publish them is the wrong one.
const schemas = JSON.parse(readFileSync(jsonPath, 'utf8')).components?.schemas ?? {};
const missing = ['ReadyPayload', 'GatewayEvent', 'ResumeResult', 'StreamCursors', 'GatewayEventData'].filter((name) => !(name in schemas));
if (missing.length > 0) {
    console.error(`gen:api: the document lacks the gateway contract (${missing.join(', ')}); is the server up to date?`);
    process.exit(1);
}

execFileSync('npx', ['openapi-typescript', jsonPath, '-o', here('../src/api/schema.d.ts')], { stdio: 'inherit' });

// The initial JavaScript of the built client (what index.html loads before any lazy route), gzipped, against the
// budget issue #14 sets: emoji data, the syntax highlighter and notification code must load on demand.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const BUDGET_KIB = 160;
const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const scripts = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
if (scripts.length === 0) {
    console.error('bundle budget: index.html names no scripts; was the client built?');
    process.exit(1);
}
const bytes = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(join(dist, file)), { level: 9 }).length, 0);
const kib = bytes / 1024;
console.log(`bundle budget: initial JS ${kib.toFixed(1)} KiB gzipped in ${scripts.length} files (budget ${BUDGET_KIB} KiB)`);
if (kib > BUDGET_KIB) {
    console.error('bundle budget exceeded: load the new code on demand (React.lazy / import())');
    process.exit(1);
}

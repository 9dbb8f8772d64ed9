// The bytes the built client costs a browser, as the server sends them (the README's table): the file, its .gz, its
// .br (what a client taking gzip, or br, receives; a file without a copy goes as it is). Bodies only, no headers.
// Run after `npm run build`: node scripts/transfer-sizes.mjs
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const size = (file) => (existsSync(join(dist, file)) ? statSync(join(dist, file)).size : null);

function sizes(files) {
    let raw = 0;
    let gzip = 0;
    let br = 0;
    for (const file of files) {
        const own = size(file);
        const gz = size(`${file}.gz`) ?? own;
        raw += own;
        gzip += gz;
        br += size(`${file}.br`) ?? gz;
    }
    return { files: files.length, raw, gzip, br };
}

const html = readFileSync(join(dist, 'index.html'), 'utf8');
// What index.html names, but the icon only iOS asks for.
const named = [...html.matchAll(/(?:src|href)="\/([^"]+)"/g)].map((m) => m[1]).filter((f) => !f.startsWith('icons/'));
const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
const precache = JSON.parse(/\[("\/[^\]]*)\]/.exec(sw)?.[0] ?? '[]').map((f) => f.slice(1));
const chunk = (prefix) => named.concat(precache).find((f) => f.startsWith(`assets/${prefix}-`)) ?? '';

const rows = [
    ['First load: index.html and what it names', sizes(['index.html', ...named])],
    ['Service worker install: sw.js, offline.html and its precache', sizes(['sw.js', 'offline.html', ...precache])],
    ['Emoji data (loaded with the picker)', sizes([chunk('compact'), chunk('github')])],
];
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log('| What | Files | Raw | gzip | br |\n|---|---:|---:|---:|---:|');
for (const [what, s] of rows)
    console.log(
        `| ${what} | ${s.files} | ${kib(s.raw)} | ${kib(s.gzip)} (${((100 * s.gzip) / s.raw).toFixed(0)}%) | ${kib(s.br)} (${((100 * s.br) / s.raw).toFixed(0)}%) |`,
    );

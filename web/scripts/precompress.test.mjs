// @vitest-environment node
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIN_BYTES, precompress } from './precompress.mjs';

const script = Array.from({ length: 300 }, (_, i) => `export const value${i} = 'a value the client needs (${i})';`).join('\n');

describe('precompress', () => {
    let dist = '';
    beforeEach(() => {
        dist = mkdtempSync(join(tmpdir(), 'kamachat-precompress-'));
        mkdirSync(join(dist, 'assets', 'nested'), { recursive: true });
        writeFileSync(join(dist, 'assets', 'index-abc.js'), script);
        writeFileSync(join(dist, 'assets', 'nested', 'page.html'), `<!doctype html>${script}`);
        writeFileSync(join(dist, 'manifest.webmanifest'), JSON.stringify({ name: 'KamaChat', description: script }));
        writeFileSync(join(dist, 'theme-init.js'), 'document.documentElement.className = "dark";');
        writeFileSync(join(dist, 'icon.png'), script);
        // Noise does not compress: its copies would be larger than the file.
        writeFileSync(join(dist, 'noise.txt'), randomBytes(4096));
        utimesSync(join(dist, 'assets', 'index-abc.js'), new Date(2026, 0, 1), new Date(2026, 0, 1));
    });
    afterEach(() => rmSync(dist, { recursive: true, force: true }));

    it('writes br and gzip copies that decode to the file, smaller each, with the file’s mtime', () => {
        precompress(dist);

        const file = join(dist, 'assets', 'index-abc.js');
        const original = readFileSync(file);
        const br = readFileSync(`${file}.br`);
        const gzip = readFileSync(`${file}.gz`);
        expect(brotliDecompressSync(br).equals(original)).toBe(true);
        expect(gunzipSync(gzip).equals(original)).toBe(true);
        expect(br.length).toBeLessThan(gzip.length);
        expect(gzip.length).toBeLessThan(original.length);
        expect(statSync(`${file}.br`).mtimeMs).toBe(statSync(file).mtimeMs);
        expect(statSync(`${file}.gz`).mtimeMs).toBe(statSync(file).mtimeMs);
    });

    it('compresses text in every folder and skips small files, images and what does not shrink', () => {
        const results = precompress(dist);

        const copies = readdirSync(dist, { recursive: true, encoding: 'utf8' })
            .filter((f) => /\.(br|gz)$/.test(f))
            .map((f) => f.split('\\').join('/'))
            .sort();
        expect(copies).toEqual([
            'assets/index-abc.js.br',
            'assets/index-abc.js.gz',
            'assets/nested/page.html.br',
            'assets/nested/page.html.gz',
            'manifest.webmanifest.br',
            'manifest.webmanifest.gz',
        ]);
        expect(statSync(join(dist, 'theme-init.js')).size).toBeLessThan(MIN_BYTES);
        expect(results.find((r) => r.file === 'noise.txt')).toMatchObject({ gzip: null, br: null });
        expect(results.some((r) => r.file === 'icon.png')).toBe(false);
    });

    it('run again over its own output, compresses nothing twice', () => {
        precompress(dist);
        const second = precompress(dist);

        expect(second.every((r) => !/\.(br|gz)$/.test(r.file))).toBe(true);
        expect(readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(br|gz)\.(br|gz)$/.test(f))).toEqual([]);
    });
});

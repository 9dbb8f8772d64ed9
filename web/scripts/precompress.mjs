// Writes a Brotli (.br, quality 11) and a gzip (.gz, level 9) copy next to each compressible file of the built client
// (`npm run build` runs it after `vite build`), so the server sends compressed files without compressing on every
// request: src/KamaChat.Server/Infrastructure/Http/PrecompressedFiles.cs picks one per the request's Accept-Encoding.
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Text the browser receives as is; images and fonts are compressed formats already and gain nothing. */
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|webmanifest|txt)$/;

/** Below this the headers and the decompression cost more than the bytes saved (nginx's gzip_min_length is similar). */
export const MIN_BYTES = 1024;

/**
 * Compresses every compressible file under `dir` (recursively) and returns what it wrote. A copy is kept only when it
 * is smaller than what a client would get otherwise: the .gz smaller than the file, the .br smaller than the .gz.
 * So the three lengths always differ, and with them the server's ETags (its ETag is made of length and mtime, and
 * the copies get the file's mtime); a client that takes br but would get a larger .br gets the .gz instead.
 * @param {string} dir
 * @returns {{ file: string, raw: number, gzip: number | null, br: number | null }[]}
 */
export function precompress(dir) {
    const results = [];
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
        const path = join(dir, file);
        if (!COMPRESSIBLE.test(file) || !statSync(path).isFile()) continue;
        const source = readFileSync(path);
        const result = { file: file.split('\\').join('/'), raw: source.length, gzip: null, br: null };
        results.push(result);
        if (source.length < MIN_BYTES) continue;
        const gzip = gzipSync(source, { level: 9 });
        if (gzip.length >= source.length) continue;
        const br = brotliCompressSync(source, {
            params: {
                [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
                [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            },
        });
        const { atime, mtime } = statSync(path);
        writeFileSync(`${path}.gz`, gzip);
        utimesSync(`${path}.gz`, atime, mtime);
        result.gzip = gzip.length;
        if (br.length < gzip.length) {
            writeFileSync(`${path}.br`, br);
            utimesSync(`${path}.br`, atime, mtime);
            result.br = br.length;
        }
    }
    return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
    const dist = new URL('../dist/', import.meta.url).pathname;
    const results = precompress(dist);
    const sum = (pick) => results.reduce((total, r) => total + pick(r), 0);
    const written = results.filter((r) => r.gzip !== null);
    console.log(
        `precompress: ${written.length} of ${results.length} text files, ${(sum((r) => r.raw) / 1024).toFixed(0)} KiB raw → ` +
            `${(sum((r) => r.gzip ?? r.raw) / 1024).toFixed(0)} KiB gzip, ${(sum((r) => r.br ?? r.gzip ?? r.raw) / 1024).toFixed(0)} KiB br`,
    );
}

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';

const here = import.meta.dirname;
const publicDir = join(here, '..', 'public');

function publicFiles(): string[] {
  return readdirSync(publicDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => statSync(join(publicDir, file)).isFile())
    .map((file) => relative(publicDir, join(publicDir, file)).split(sep).join('/'));
}

/**
 * Writes dist/sw.js from serviceWorker/sw.js with the build's files to precache and a version that changes with
 * any of them: a new build is a new service worker, whose cache replaces the old one once no page uses it.
 */
export function serviceWorker(): Plugin {
  return {
    name: 'kamachat-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const template = readFileSync(join(here, 'sw.js'), 'utf8');
      const hash = createHash('sha256').update(template);
      const files: string[] = [];
      for (const file of publicFiles()) {
        // The pages themselves are never precached: they always come from the server (or the offline page).
        if (file.endsWith('.html')) continue;
        files.push(`/${file}`);
        hash.update(file).update(readFileSync(join(publicDir, file)));
      }
      for (const [file, output] of Object.entries(bundle)) {
        if (!file.startsWith('assets/') || file.endsWith('.map')) continue;
        files.push(`/${file}`);
        hash.update(file).update(output.type === 'chunk' ? output.code : output.source);
      }
      files.sort();
      const source = template
        .replace("'__KAMACHAT_VERSION__'", JSON.stringify(hash.digest('hex').slice(0, 16)))
        .replace('self.__KAMACHAT_PRECACHE__ ?? []', JSON.stringify(files));
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

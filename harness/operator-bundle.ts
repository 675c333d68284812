import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_PATH, bundle } from '../scripts/bundle.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * The path of dist/policyjobwatch.mjs, the production bundle the image and the package's `bin`
 * run, built first when it is missing or older than anything it is built from (src/,
 * package.json, package-lock.json, scripts/bundle.ts), so that tests and the bench run what
 * ships. esbuild builds it in a few seconds.
 */
export function operatorBundle(): string {
  if (!bundleIsFresh()) bundle();
  return BUNDLE_PATH;
}

function bundleIsFresh(): boolean {
  if (!existsSync(BUNDLE_PATH)) return false;
  const inputs = ['package.json', 'package-lock.json', join('scripts', 'bundle.ts')].map(
    (f) => statSync(join(ROOT, f)).mtimeMs,
  );
  const newest = Math.max(newestMtime(join(ROOT, 'src')), ...inputs);
  return statSync(BUNDLE_PATH).mtimeMs >= newest;
}

/** The newest modification time of any file under `dir`. */
export function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Writes the CRD generated from the zod schemas (npm run generate): crds/ at the root and the
 * Helm chart's crds/, the same bytes. With --check it writes nothing and exits 1 when either
 * file is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRD_FILE, renderCrdYaml } from './crd.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where Helm looks for CRDs: installed before the templates, never upgraded or deleted. */
const CHART_CRD_FILE = join('charts', 'policyjobwatch', CRD_FILE);
const text = renderCrdYaml();

for (const file of [CRD_FILE, CHART_CRD_FILE]) {
  const target = join(repoRoot, file);
  if (process.argv.includes('--check')) {
    const current = await readFile(target, 'utf8').catch(() => '');
    if (current !== text) {
      process.stderr.write(`${file} is stale: run npm run generate\n`);
      process.exitCode = 1;
    }
  } else {
    await writeFile(target, text);
    process.stdout.write(`wrote ${file}\n`);
  }
}

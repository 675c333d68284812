/**
 * Writes the CRD generated from the zod schemas (npm run generate). With --check it writes
 * nothing and exits 1 when the file is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRD_FILE, renderCrdYaml } from './crd.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const target = join(repoRoot, CRD_FILE);
const text = renderCrdYaml();

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== text) {
    process.stderr.write(`${CRD_FILE} is stale: run npm run generate\n`);
    process.exitCode = 1;
  }
} else {
  await writeFile(target, text);
  process.stdout.write(`wrote ${CRD_FILE}\n`);
}

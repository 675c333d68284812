/**
 * Writes manifests/argocd/argocd-cm-patch.yaml from the Argo CD health check (health.lua). With
 * --check it writes nothing and exits 1 when the patch is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { ARGOCD_CM_PATCH, HEALTH_LUA, renderArgocdCmPatch } from './argocd-cm-patch.js';

const text = renderArgocdCmPatch(await readFile(HEALTH_LUA, 'utf8'));
const name = relative(process.cwd(), ARGOCD_CM_PATCH);

if (process.argv.includes('--check')) {
  const current = await readFile(ARGOCD_CM_PATCH, 'utf8').catch(() => '');
  if (current !== text) {
    process.stderr.write(`${name} is stale: run npx tsx scripts/generate-argocd-cm-patch.ts\n`);
    process.exitCode = 1;
  }
} else {
  await writeFile(ARGOCD_CM_PATCH, text);
  process.stdout.write(`wrote ${name}\n`);
}

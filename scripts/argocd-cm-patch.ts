/**
 * The argocd-cm patch that installs the Argo CD health check is generated from health.lua, so
 * that the script has one source of truth: scripts/generate-argocd-cm-patch.ts writes it, and
 * the health integration tests fail when the committed copy differs.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GROUP, KIND } from '../src/api/constants.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export const ARGOCD_DIR = join(REPO_ROOT, 'manifests', 'argocd');
/** Argo CD's own layout (resource_customizations/<group>/<kind>/), so it can go upstream as is. */
export const HEALTH_CHECK_DIR = join(ARGOCD_DIR, GROUP, KIND);
export const HEALTH_LUA = join(HEALTH_CHECK_DIR, 'health.lua');
export const ARGOCD_CM_PATCH = join(ARGOCD_DIR, 'argocd-cm-patch.yaml');
/** argocd-cm key of a health check: resource.customizations.health.<group>_<kind>. */
export const HEALTH_KEY = `resource.customizations.health.${GROUP}_${KIND}`;

export function renderArgocdCmPatch(script: string): string {
  const body = script
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line === '' ? '' : `    ${line}`))
    .join('\n');
  return [
    `# Generated from ${GROUP}/${KIND}/health.lua by \`npx tsx scripts/generate-argocd-cm-patch.ts\`:`,
    '# edit health.lua, then run it again.',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: argocd-cm',
    'data:',
    `  ${HEALTH_KEY}: |`,
    body,
    '',
  ].join('\n');
}

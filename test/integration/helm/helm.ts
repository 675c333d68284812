import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { controlPlane, type CommandResult } from '../../support/control-plane.js';
import { goTool } from '../../support/go-tools.js';
import { REPO_ROOT, type KubeObject } from '../manifests/rendered.js';

export const CHART = join(REPO_ROOT, 'charts', 'policyjobwatch');

let home: string | undefined;

/**
 * Builds helm (hack/helm, cached per machine) and gives it a home of its own: its cache, config
 * and data directories in a temporary folder, never the user's.
 */
export async function setUpHelm(): Promise<void> {
  await goTool('helm');
  home ??= await mkdtemp(join(tmpdir(), 'pjw-helm-home-'));
}

export async function tearDownHelm(): Promise<void> {
  if (home !== undefined) await rm(home, { recursive: true, force: true });
  home = undefined;
}

/** Runs the real helm against the shared control plane (its admin kubeconfig file). */
export async function helm(args: string[]): Promise<CommandResult> {
  if (home === undefined) throw new Error('call setUpHelm() in a before hook first');
  const binary = await goTool('helm');
  const env = {
    ...process.env,
    KUBECONFIG: controlPlane().kubeconfigPath,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  return new Promise((resolve) => {
    execFile(binary, args, { env, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `helm template RELEASE CHART ARGS`, parsed; throws with helm's message when it fails. */
export async function helmTemplate(
  release: string,
  args: string[] = [],
  chart = CHART,
): Promise<KubeObject[]> {
  const result = await helm(['template', release, chart, ...args]);
  if (result.code !== 0) throw new Error(`helm template ${args.join(' ')}: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

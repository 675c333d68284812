import { execFile } from 'node:child_process';
import { KubeConfig } from '@kubernetes/client-node';
import { LocalControlPlane } from '../../src/control-plane/index.js';

/**
 * The one control plane of a test run. The root hooks start it when the run includes
 * integration tests, and stop it at the end; unit-only runs never start it.
 */
let shared: LocalControlPlane | undefined;

export async function startSharedControlPlane(): Promise<LocalControlPlane> {
  if (!shared) {
    shared = await LocalControlPlane.start({
      log: (line) => {
        process.stdout.write(`  [control plane] ${line}\n`);
      },
    });
    process.stdout.write(`control plane: ${shared.describe()}\n`);
  }
  return shared;
}

export async function stopSharedControlPlane(): Promise<void> {
  const cp = shared;
  shared = undefined;
  await cp?.stop();
}

export function controlPlane(): LocalControlPlane {
  if (!shared) {
    throw new Error(
      'the control plane is not running: integration tests live in test/integration/',
    );
  }
  return shared;
}

/** A client-node KubeConfig for the admin user of the shared control plane. */
export function adminKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(controlPlane().kubeconfigYaml());
  return kc;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the pinned kubectl against the shared control plane (admin kubeconfig). */
export function kubectl(args: string[], options: { input?: string } = {}): Promise<CommandResult> {
  const cp = controlPlane();
  return new Promise((resolve) => {
    const child = execFile(
      cp.binaries.kubectl,
      args,
      { env: { ...process.env, KUBECONFIG: cp.kubeconfigPath }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

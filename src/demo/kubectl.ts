import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** Runs kubectl against `kubeconfig`; resolves with its output, or its error text. */
export function kubectlOutput(
  kubectl: string,
  kubeconfig: string,
  args: string[],
): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      kubectl,
      args,
      { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 10_000 },
      (error, stdout, stderr) => {
        resolve(error ? `${stdout}${stderr || error.message}` : stdout);
      },
    );
  });
}

/** True when a `kubectl` is on the PATH, so that the hints can say plain `kubectl`. */
export async function kubectlOnPath(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  for (const dir of (env.PATH ?? '').split(delimiter).filter((d) => d !== '')) {
    try {
      await access(join(dir, 'kubectl'), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

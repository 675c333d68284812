import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** ~/.cache/policyjobwatch (or $XDG_CACHE_HOME/policyjobwatch, or $POLICYJOBWATCH_CACHE_DIR). */
export function policyjobwatchCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.POLICYJOBWATCH_CACHE_DIR ??
    join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'policyjobwatch')
  );
}

/** Static binaries, and never let the go command fetch another toolchain. */
export function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local' };
}

export async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs `go ARGS` in `cwd`; on failure the error carries the end of go's output. */
export function runGo(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, { cwd, env: goEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const collect = (chunk: Buffer): void => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => {
      reject(new Error(`cannot run go (is Go installed and on PATH?): ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else {
        const how = signal ?? `exit ${String(code)}`;
        reject(new Error(`go ${args.join(' ')} in ${cwd} failed (${how}):\n${tail}`));
      }
    });
  });
}

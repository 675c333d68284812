import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/control-plane/free-port.js';
import { newestMtime, operatorBundle } from '../../harness/operator-bundle.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How to start `policyjobwatch` (`cli`): the production bundle, dist/policyjobwatch.mjs, built
 * first when it is stale. `policyjobwatch-dev` (`dev-cli`, the simulator): the built JS when it
 * is newer than every source, else tsx.
 */
export function cliEntry(cli: 'cli' | 'dev-cli' = 'cli'): {
  args: string[];
  built: boolean;
  why: string;
} {
  if (cli === 'cli')
    return { args: [operatorBundle()], built: true, why: 'dist/policyjobwatch.mjs (the bundle)' };
  const built = join(REPO_ROOT, 'dist', cli, 'main.js');
  const source = join(REPO_ROOT, 'src', cli, 'main.ts');
  if (existsSync(built)) {
    const newest = newestMtime(join(REPO_ROOT, 'src'));
    if (statSync(built).mtimeMs >= newest)
      return { args: [built], built: true, why: `dist/${cli}/main.js (built JS)` };
    return {
      args: ['--import', 'tsx', source],
      built: false,
      why: `src/${cli}/main.ts through tsx: dist/ is older than src/ (run \`npm run build\` first)`,
    };
  }
  return {
    args: ['--import', 'tsx', source],
    built: false,
    why: `src/${cli}/main.ts through tsx: no dist/ (run \`npm run build\` first)`,
  };
}

/** A child process whose stdout and stderr go to a log file. */
export class ChildRun {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stdoutWaiters: ((text: string) => void)[] = [];
  private stdoutText = '';

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    const log = createWriteStream(logFile);
    child.stdout?.on('data', (chunk: Buffer) => {
      this.stdoutText += chunk.toString();
      log.write(chunk);
      for (const waiter of this.stdoutWaiters) waiter(this.stdoutText);
    });
    child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        log.end();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Resolves with the first match of `pattern` on stdout. */
  waitForStdout(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.name}: no ${String(pattern)} on stdout in ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (text: string): void => {
        const match = pattern.exec(text);
        if (match) {
          clearTimeout(timer);
          resolve(match);
        }
      };
      this.stdoutWaiters.push(check);
      check(this.stdoutText);
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${String(code ?? signal)}); see ${this.logFile}`));
      });
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export function startChild(
  name: string,
  args: string[],
  logFile: string,
  env: NodeJS.ProcessEnv = {},
): ChildRun {
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new ChildRun(name, child, logFile);
}

/** `policyjobwatch-dev ucs-sim` in its own process; resolves once it listens. */
export async function startSimulator(
  flags: string[],
  logFile: string,
  env: NodeJS.ProcessEnv,
): Promise<{ run: ChildRun; url: string }> {
  const run = startChild(
    'ucs-sim',
    [...cliEntry('dev-cli').args, 'ucs-sim', ...flags],
    logFile,
    env,
  );
  const match = await run.waitForStdout(/ucs-sim listening on (\S+)/, 60_000);
  return { run, url: match[1] ?? '' };
}

export interface OperatorRun {
  run: ChildRun;
  metricsUrl: string;
  readyUrl: string;
}

/** `policyjobwatch run` in its own process with free metrics and probe ports; waits for /healthz. */
export async function startOperator(
  entry: string[],
  flags: Record<string, string>,
  logFile: string,
  nodeFlags: string[] = [],
): Promise<OperatorRun> {
  const [metricsPort, healthPort] = await Promise.all([freePort(), freePort()]);
  const args = [
    ...nodeFlags,
    ...entry,
    'run',
    ...Object.entries({
      ...flags,
      'metrics-bind-address': `127.0.0.1:${String(metricsPort)}`,
      'health-probe-bind-address': `127.0.0.1:${String(healthPort)}`,
    }).flatMap(([k, v]) => [`--${k}`, v]),
  ];
  const run = startChild('operator', args, logFile);
  const op = {
    run,
    metricsUrl: `http://127.0.0.1:${String(metricsPort)}/metrics`,
    readyUrl: `http://127.0.0.1:${String(healthPort)}/healthz`,
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (run.child.exitCode !== null) throw new Error(`the operator exited; see ${logFile}`);
    const ok = await fetch(op.readyUrl).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return op;
    if (Date.now() > deadline) throw new Error(`the operator is not healthy; see ${logFile}`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Asks a process started with `--heapsnapshot-signal=SIGUSR2` for a heap snapshot and waits
 * until Node has written it to `dir` (the file appears once it is complete).
 */
export async function takeHeapSnapshot(
  run: ChildRun,
  dir: string,
  timeoutMs = 120_000,
): Promise<string> {
  const before = new Set(readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot')));
  run.child.kill('SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const fresh = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (fresh !== undefined) {
      // Node writes the snapshot in one go; wait until its size stops changing.
      let size = -1;
      for (;;) {
        await sleep(500);
        const now = statSync(join(dir, fresh)).size;
        if (now === size && now > 0) return join(dir, fresh);
        size = now;
      }
    }
    await sleep(200);
  }
  throw new Error(`${run.name}: no heap snapshot in ${dir} after ${timeoutMs} ms`);
}

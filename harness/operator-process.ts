import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/control-plane/free-port.js';
import { eventually } from './eventually.js';
import { operatorBundle } from './operator-bundle.js';

/**
 * The one launcher of the tests and the bench for "run the operator as a process, wait until it
 * is ready, stop it": `OperatorProcess.start` runs `policyjobwatch run` from the production
 * bundle with free metrics and probe ports. `NodeProcess` is the child under it (its output
 * kept as lines and copied to a log file, its exit, its signals), also used for the simulator.
 */

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** When it exited (Date.now()). */
  atMs: number;
}

export interface NodeProcessOptions {
  /** Names the process in messages. */
  name: string;
  /** The program; default this Node (then `args` are its flags, the script and its arguments). */
  command?: string;
  /** The program's arguments. */
  args: string[];
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are copied to this file as they come. */
  logFile?: string;
  /** Keep every output line in `lines` (default true; the bench's operators only log to a file). */
  keepLines?: boolean;
  /** Its own process group: signals go to the group, so nothing it starts outlives it. */
  processGroup?: boolean;
  /** How long `stop()` waits after SIGTERM before SIGKILL (default 10 s). */
  stopGraceMs?: number;
}

/** A child process of the repository (`node` unless told), its output and its exit. */
export class NodeProcess {
  readonly name: string;
  /** Every complete line it wrote, stdout and stderr as they came (unless `keepLines: false`). */
  readonly lines: string[] = [];
  /** Resolves once it has exited and all its output is read. */
  readonly exited: Promise<Exit>;
  /** How it exited, as soon as it has. */
  exit: Exit | undefined;
  readonly logFile: string | undefined;
  protected readonly child: ChildProcess;
  private readonly processGroup: boolean;
  private readonly stopGraceMs: number;
  private readonly lineWaiters = new Set<(line: string) => void>();

  constructor(options: NodeProcessOptions) {
    this.name = options.name;
    this.logFile = options.logFile;
    this.processGroup = options.processGroup ?? false;
    this.stopGraceMs = options.stopGraceMs ?? 10_000;
    this.child = spawn(options.command ?? process.execPath, options.args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      detached: this.processGroup,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log: WriteStream | undefined =
      options.logFile === undefined ? undefined : createWriteStream(options.logFile);
    const keepLines = options.keepLines ?? true;
    const onLine = (line: string): void => {
      if (keepLines) this.lines.push(line);
      for (const waiter of this.lineWaiters) waiter(line);
    };
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        log?.write(chunk);
        const parts = (partial + chunk.toString()).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) if (line !== '') onLine(line);
      });
      stream?.on('end', () => {
        if (partial !== '') onLine(partial);
        partial = '';
      });
    }
    this.child.on('exit', (code, signal) => {
      this.exit = { code, signal, atMs: Date.now() };
    });
    // Once its output is all read too ('close' comes after 'exit' and the end of its streams).
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.exit ??= { code, signal, atMs: Date.now() };
        log?.end();
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} did not start`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Sends `signal` (to the whole group when it has one); nothing once it has exited. */
  kill(signal: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      if (this.processGroup) process.kill(-this.pid, signal);
      else this.child.kill(signal);
    } catch {
      // Already gone.
    }
  }

  /** SIGTERM, then SIGKILL after the grace; resolves once it has exited. */
  async stop(graceMs = this.stopGraceMs): Promise<void> {
    if (!this.running) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.kill('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /**
   * Resolves with the first match of `pattern` in a line of its output (a line already kept
   * counts too); fails when it exits first or after `timeoutMs`.
   */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    for (const line of this.lines) {
      const match = pattern.exec(line);
      if (match) return Promise.resolve(match);
    }
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.lineWaiters.delete(check);
      };
      const check = (line: string): void => {
        const match = pattern.exec(line);
        if (!match) return;
        done();
        resolve(match);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no ${String(pattern)} in its output in ${timeoutMs} ms`));
      }, timeoutMs);
      this.lineWaiters.add(check);
      void this.exited.then(({ code, signal }) => {
        if (!this.lineWaiters.has(check)) return;
        done();
        reject(new Error(`${this.name} exited (${String(code ?? signal)})${this.seeLog()}`));
      });
    });
  }

  /** Its output lines parsed as JSON log records (lines that are not JSON are skipped). */
  records(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of this.lines) {
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A stack trace or other plain text.
      }
    }
    return out;
  }

  /** The first JSON log record with this message. */
  logged(message: string): Record<string, unknown> | undefined {
    return this.records().find((r) => r.message === message);
  }

  /** The last output lines, for failure messages. */
  tail(n = 30): string {
    return `--- ${this.name} (last ${n} lines) ---\n${this.lines.slice(-n).join('\n')}`;
  }

  protected seeLog(): string {
    return this.logFile === undefined ? `\n${this.tail()}` : `; see ${this.logFile}`;
  }
}

export interface OperatorProcessOptions extends Omit<NodeProcessOptions, 'args' | 'name'> {
  name?: string;
  /** The arguments of `policyjobwatch run` (`flagArgs` makes them of a record). */
  args: string[];
  /** Node's own flags, before the bundle (heap size, profiling). */
  nodeFlags?: string[];
}

export interface ReadyOptions {
  /** The probe that must answer 200: `readyz` (the default; the informer synced) or `healthz`. */
  probe?: 'readyz' | 'healthz';
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * `policyjobwatch run` from the production bundle (dist/policyjobwatch.mjs, rebuilt first when
 * stale: the code that ships), on free metrics and probe ports of 127.0.0.1.
 */
export class OperatorProcess extends NodeProcess {
  readonly metricsUrl: string;
  readonly healthUrl: string;

  private constructor(options: NodeProcessOptions, metricsPort: number, healthPort: number) {
    super(options);
    this.metricsUrl = `http://127.0.0.1:${String(metricsPort)}/metrics`;
    this.healthUrl = `http://127.0.0.1:${String(healthPort)}`;
  }

  /** Starts it; `ready()` waits for its probe. */
  static async start(options: OperatorProcessOptions): Promise<OperatorProcess> {
    const [metricsPort, healthPort] = await Promise.all([freePort(), freePort()]);
    const { nodeFlags = [], ...rest } = options;
    const args = [
      ...nodeFlags,
      operatorBundle(),
      'run',
      ...options.args,
      ...flagArgs({
        'metrics-bind-address': `127.0.0.1:${String(metricsPort)}`,
        'health-probe-bind-address': `127.0.0.1:${String(healthPort)}`,
      }),
    ];
    return new OperatorProcess(
      { ...rest, name: options.name ?? 'operator', args },
      metricsPort,
      healthPort,
    );
  }

  /** Waits until its probe answers 200; fails at once if it exits. */
  async ready({
    probe = 'readyz',
    timeoutMs = 60_000,
    intervalMs = 100,
  }: ReadyOptions = {}): Promise<void> {
    await eventually(
      async () => {
        if (!this.running) throw new Error(`${this.name} exited (${describeExit(this.exit)})`);
        const res = await fetch(`${this.healthUrl}/${probe}`);
        if (!res.ok) throw new Error(`${this.name} /${probe}: HTTP ${String(res.status)}`);
      },
      { timeoutMs, intervalMs, fatal: () => !this.running },
    ).catch((err: unknown) => {
      const message = !this.running
        ? `${this.name} exited (${describeExit(this.exit)})`
        : err instanceof Error
          ? err.message
          : String(err);
      throw new Error(`${message}${this.seeLog()}`, { cause: err });
    });
  }

  /** Its /metrics, as text. */
  async metrics(): Promise<string> {
    const res = await fetch(this.metricsUrl);
    if (!res.ok) throw new Error(`GET ${this.metricsUrl}: HTTP ${String(res.status)}`);
    return res.text();
  }
}

/** `{ a: '1', b: '2' }` as `['--a', '1', '--b', '2']`. */
export function flagArgs(flags: Record<string, string>): string[] {
  return Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v]);
}

function describeExit(exit: Exit | undefined): string {
  return String(exit?.code ?? exit?.signal);
}

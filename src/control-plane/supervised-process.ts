import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/**
 * Runs a program under a tiny bash watchdog that reads our end of a pipe: when this Node
 * process dies for any reason (even SIGKILL), the pipe closes, and the watchdog stops the
 * program. So no etcd or kube-apiserver outlives the test run that started it.
 */
const WATCHDOG = [
  // bash gives background jobs /dev/null as stdin unless told otherwise: keep the pipe on fd 3.
  'exec 3<&0',
  '"$@" </dev/null 3<&- &',
  'child=$!',
  '( while read -r _; do :; done; kill -TERM "$child" 2>/dev/null;',
  '  sleep 10; kill -KILL "$child" 2>/dev/null ) <&3 &',
  'watcher=$!',
  'wait "$child"; code=$?',
  'kill "$watcher" 2>/dev/null',
  'exit "$code"',
].join('\n');

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class SupervisedProcess {
  private readonly child: ChildProcess;
  private tail = '';
  private readonly logStream: WriteStream | undefined;
  /** Resolves when the program (and its watchdog) exited. */
  readonly exited: Promise<ExitStatus>;
  private hasExited = false;

  constructor(
    readonly name: string,
    binary: string,
    args: string[],
    options: { logFile?: string; env?: NodeJS.ProcessEnv } = {},
  ) {
    this.logStream = options.logFile
      ? createWriteStream(options.logFile, { flags: 'a' })
      : undefined;
    this.child = spawn('bash', ['-c', WATCHDOG, 'supervise', binary, ...args], {
      // Own process group: a Ctrl-C in the terminal reaches us, and we stop in order.
      detached: true,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer): void => {
      this.tail = (this.tail + chunk.toString()).slice(-16_000);
      this.logStream?.write(chunk);
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.hasExited = true;
        this.logStream?.end();
        resolve({ code, signal });
      });
    });
    SupervisedProcess.live.add(this);
    void this.exited.then(() => SupervisedProcess.live.delete(this));
  }

  get running(): boolean {
    return !this.hasExited;
  }

  /** The last lines the program printed, for error messages. */
  output(): string {
    return this.tail;
  }

  /** Asks the program to stop (SIGTERM through the watchdog), then kills it after `graceMs`. */
  async stop(graceMs = 10_000): Promise<ExitStatus> {
    if (!this.hasExited) {
      this.child.stdin?.end();
      const timer = setTimeout(() => {
        this.killGroup('SIGKILL');
      }, graceMs);
      timer.unref();
      try {
        return await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.exited;
  }

  /** Kills the whole process group at once; used on SIGKILL-style tests and at exit. */
  killGroup(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.hasExited || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // Already gone.
    }
  }

  private static readonly live = new Set<SupervisedProcess>();

  static {
    // Last resort on a normal exit (including process.exit from mocha): kill synchronously.
    process.on('exit', () => {
      for (const p of SupervisedProcess.live) p.killGroup('SIGKILL');
    });
  }
}

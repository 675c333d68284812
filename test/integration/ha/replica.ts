import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../src/control-plane/free-port.js';
import { eventually } from '../../../harness/eventually.js';
import { operatorBundle } from '../../../harness/operator-bundle.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  atMs: number;
}

/**
 * `policyjobwatch run` as a separate process (its own process group, so that nothing it starts
 * outlives the test), with its JSON log lines and its metrics and probe ports.
 */
export class Replica {
  readonly lines: string[] = [];
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly metricsPort: number,
    readonly healthPort: number,
  ) {
    let partial = '';
    const collect = (chunk: Buffer): void => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts.filter((l) => l !== ''));
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exit = { code, signal, atMs: Date.now() };
        resolve(this.exit);
      });
    });
  }

  static async start(name: string, args: string[]): Promise<Replica> {
    const metricsPort = await freePort();
    const healthPort = await freePort();
    const child = spawn(
      process.execPath,
      [
        operatorBundle(),
        'run',
        ...args,
        '--metrics-bind-address',
        `127.0.0.1:${metricsPort}`,
        '--health-probe-bind-address',
        `127.0.0.1:${healthPort}`,
        '--log-format',
        'json',
      ],
      { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new Replica(name, child, metricsPort, healthPort);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} did not start`);
    return this.child.pid;
  }

  /** Signals the whole process group (the operator and anything it may have started). */
  kill(signal: NodeJS.Signals): void {
    if (this.exit) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // Already gone.
    }
  }

  /** Parsed JSON log records (lines that are not JSON are skipped). */
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

  logged(message: string): Record<string, unknown> | undefined {
    return this.records().find((r) => r.message === message);
  }

  /** The leader election identity, from the "campaigning" log line. */
  async identity(): Promise<string> {
    return eventually(
      () => {
        const id = this.logged('campaigning for leadership')?.identity;
        if (typeof id !== 'string') throw new Error(`${this.name} has not campaigned yet`);
        return id;
      },
      { timeoutMs: 30_000, intervalMs: 100, fatal: () => this.exit !== undefined },
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${this.tail()}`, { cause: err });
    });
  }

  async ready(): Promise<void> {
    await eventually(
      async () => {
        const res = await fetch(`http://127.0.0.1:${this.healthPort}/readyz`);
        if (res.status !== 200) throw new Error(`${this.name} /readyz: ${res.status}`);
      },
      { timeoutMs: 30_000, intervalMs: 200, fatal: () => this.exit !== undefined },
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${this.tail()}`, { cause: err });
    });
  }

  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`);
    return res.text();
  }

  /** The sum of a metric's samples (0 when it has none), optionally only those with a label. */
  async metric(name: string, label?: string): Promise<number> {
    const text = await this.metrics();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (label !== undefined && !line.includes(label)) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  /** The last log lines, for failure messages. */
  tail(n = 30): string {
    return `--- ${this.name} (last ${n} lines) ---\n${this.lines.slice(-n).join('\n')}`;
  }
}

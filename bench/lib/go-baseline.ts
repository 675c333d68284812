// The controller-runtime baseline (shared/baseline/go-controller-runtime): built from a copy
// (shared/ is read-only on CI) into ~/.cache/policyjobwatch/go-baseline/<hash of its sources>/,
// and started for a phase like the TypeScript operator, on the same flags where they mean the
// same. bench/README.md, "Side by side with the Go baseline", says what is compared.
import { existsSync } from 'node:fs';
import { chmod, cp, readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { eventually } from '../../harness/eventually.js';
import { NodeProcess } from '../../harness/operator-process.js';
import { freePort } from '../../src/control-plane/free-port.js';
import {
  buildGoBinary,
  goSourceHash,
  goVersion,
  isExecutable,
  policyjobwatchCacheDir,
} from '../../src/control-plane/go-build.js';
import { droppedEventsInLog } from './compare-report.js';
import type { MeasuredLauncher } from './measured-operator.js';

const BASELINE = join('shared', 'baseline', 'go-controller-runtime');
const NAME = 'policyjobwatch-go';

/** The baseline's folder: `shared/baseline/go-controller-runtime` in the nearest ancestor of `from`. */
export function findGoBaseline(
  from: string,
  exists: (path: string) => boolean = existsSync,
): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, BASELINE);
    if (exists(join(candidate, 'go.mod'))) return candidate;
    if (dirname(dir) === dir)
      throw new Error(`no ${BASELINE}/go.mod in ${from} or above it (use --go-source <dir>)`);
  }
}

/**
 * The baseline's binary and the Go release that built it, cached per machine like the tests' Go
 * tools: `~/.cache/policyjobwatch/go-baseline/<hash of its sources and the Go release>/`, built
 * (buildGoBinary) in a writable copy of the sources when that folder has none.
 */
export async function buildGoBaseline(
  source: string,
  say: (line: string) => void,
): Promise<{ binary: string; go: string }> {
  const go = await goVersion();
  const dir = join(policyjobwatchCacheDir(), 'go-baseline', await goSourceHash(source, go));
  const cached = join(dir, NAME);
  if (await isExecutable(cached)) {
    say(`Go baseline: ${cached} (cached for these sources and ${go})`);
    return { binary: cached, go };
  }
  const copy = join(dir, 'src');
  await rm(copy, { recursive: true, force: true });
  await cp(source, copy, { recursive: true });
  await makeWritable(copy);
  const log = (line: string): void => {
    say(`Go baseline: ${line}`);
  };
  const binary = await buildGoBinary({ moduleDir: copy, pkg: '.', dir, name: NAME, log });
  return { binary, go };
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else await chmod(path, 0o644);
  }
}

export interface GoLaunchOptions {
  binary: string;
  kubeconfig: string;
  simUrl: string;
  credentialsSecret: string;
  pollMs: number;
  concurrency: number;
  /** The operator's log of a phase. */
  logFile: (phase: string) => string;
}

/** Starts the baseline for a phase with free metrics and probe ports; resolves once /healthz answers. */
export function goLauncher(o: GoLaunchOptions): MeasuredLauncher {
  return async (phase, namespace) => {
    const [metricsPort, healthPort] = await Promise.all([freePort(), freePort()]);
    const logFile = o.logFile(phase);
    const args = Object.entries({
      kubeconfig: o.kubeconfig,
      namespace,
      'ucs-endpoint': o.simUrl,
      'credentials-secret': o.credentialsSecret,
      'poll-interval': `${String(o.pollMs / 1000)}s`,
      'max-concurrent-reconciles': String(o.concurrency),
      'metrics-bind-address': `127.0.0.1:${String(metricsPort)}`,
      'health-probe-bind-address': `127.0.0.1:${String(healthPort)}`,
    }).flatMap(([k, v]) => [`--${k}`, v]);
    const run = new NodeProcess({
      name: 'policyjobwatch-go',
      command: o.binary,
      args,
      logFile,
      keepLines: false,
    });
    const readyUrl = `http://127.0.0.1:${String(healthPort)}/healthz`;
    try {
      await eventually(
        async () => {
          if (!run.running) throw new Error(`the Go baseline exited; see ${logFile}`);
          if (!(await fetch(readyUrl)).ok) throw new Error('not healthy yet');
        },
        { timeoutMs: 60_000, intervalMs: 50, fatal: () => !run.running },
      );
    } catch (err) {
      await run.stop();
      throw new Error(`the Go baseline is not healthy; see ${logFile}`, { cause: err });
    }
    return {
      pid: run.pid,
      metricsUrl: `http://127.0.0.1:${String(metricsPort)}/metrics`,
      snapshot: () => Promise.resolve(),
      // client-go logs each event it gives up on, and counts none; its broadcaster queue
      // (1,000 deep) is not exported.
      events: async () => ({
        dropped: droppedEventsInLog(await readFile(logFile, 'utf8')),
        queued: Number.NaN,
      }),
      stop: () => run.stop(),
    };
  };
}

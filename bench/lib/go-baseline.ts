// The controller-runtime baseline (shared/baseline/go-controller-runtime): built from a copy
// (shared/ is read-only on CI) into ~/.cache/policyjobwatch/go-baseline/<hash of its sources>/,
// and started for a phase like the TypeScript operator, on the same flags where they mean the
// same. bench/README.md, "Side by side with the Go baseline", says what is compared.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { delimiter, dirname, join, relative } from 'node:path';
import { freePort } from '../../src/control-plane/free-port.js';
import { isExecutable, policyjobwatchCacheDir, runGo } from '../../src/control-plane/go-build.js';
import { droppedEventsInLog } from './compare-report.js';
import type { MeasuredLauncher } from './measured-operator.js';
import { ChildRun, sleep } from './processes.js';

const BASELINE = join('shared', 'baseline', 'go-controller-runtime');
/** Where the machine's Go lives when it is not on PATH. */
const GO_BIN = '/usr/local/go/bin';

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

/** A hash of every file under `dir` (paths and contents), in a stable order. */
export async function sourceHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (sub: string): Promise<void> => {
    const entries = (await readdir(sub, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const path = join(sub, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        hash.update(`${relative(dir, path)}\0`);
        hash.update(await readFile(path));
        hash.update('\0');
      }
    }
  };
  await walk(dir);
  return hash.digest('hex').slice(0, 16);
}

/**
 * The baseline's binary, built when the cache has none for these sources:
 * `CGO_ENABLED=0 GOTOOLCHAIN=local go build -trimpath` in a writable copy of them.
 */
export async function buildGoBaseline(
  source: string,
  say: (line: string) => void,
): Promise<string> {
  const dir = join(policyjobwatchCacheDir(), 'go-baseline', await sourceHash(source));
  const binary = join(dir, 'policyjobwatch-go');
  if (await isExecutable(binary)) {
    say(`Go baseline: ${binary} (cached for these sources)`);
    return binary;
  }
  const copy = join(dir, 'src');
  await rm(copy, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(source, copy, { recursive: true });
  await makeWritable(copy);
  // runGo runs `go` from PATH; the machine's Go is in /usr/local/go/bin, often not on it.
  const path = process.env.PATH ?? '';
  if (existsSync(GO_BIN) && !path.split(delimiter).includes(GO_BIN))
    process.env.PATH = `${path}${delimiter}${GO_BIN}`;
  const started = Date.now();
  say(`Go baseline: building ${source} in ${copy} ...`);
  const tmp = `${binary}.tmp-${String(process.pid)}`;
  await runGo(['build', '-trimpath', '-o', tmp, '.'], copy);
  await rename(tmp, binary);
  say(`Go baseline: built ${binary} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return binary;
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
    const child = spawn(o.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const run = new ChildRun('policyjobwatch-go', child, logFile);
    const readyUrl = `http://127.0.0.1:${String(healthPort)}/healthz`;
    const deadline = Date.now() + 60_000;
    while (
      !(await fetch(readyUrl).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (child.exitCode !== null) throw new Error(`the Go baseline exited; see ${logFile}`);
      if (Date.now() > deadline) throw new Error(`the Go baseline is not healthy; see ${logFile}`);
      await sleep(50);
    }
    return {
      pid: run.pid,
      metricsUrl: `http://127.0.0.1:${String(metricsPort)}/metrics`,
      snapshot: () => Promise.resolve(),
      // client-go logs each event it gives up on, and counts none.
      eventsDropped: async () => droppedEventsInLog(await readFile(logFile, 'utf8')),
      stop: () => run.stop(),
    };
  };
}

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';

/** What one bench run measures with: the command line, resolved. */
export interface BenchSettings {
  scale: number;
  /** The operator's --max-concurrent-reconciles, and the baseline's concurrency. */
  concurrency: number;
  /** Concurrent creates when the bench sets up resources (not measured). */
  createConcurrency: number;
  windowMs: number;
  pollMs: number;
  sResources: number;
  lResources: number;
  /** Resources of the selector phase, all selecting on one list kind. */
  selectorResources: number;
  /** CPU profiles of the operator processes and heap snapshots after S and after L. */
  profile: boolean;
  /** Both operators side by side (lib/against-go.ts) instead of the TS operator's figures. */
  againstGo: boolean;
  /** The Go baseline's sources; default shared/baseline/go-controller-runtime above the repo. */
  goSource: string | undefined;
  /** The TS operator's Node flags instead of the Deployment's NODE_OPTIONS (to measure V8 flags). */
  nodeOptions: string[] | undefined;
}

/** The operator's client-side UCS limits: high enough never to be the bottleneck. */
export const UCS_FLAGS = { qps: '10000', burst: '100000', maxInFlight: '64' } as const;
export const SIM_LATENCY = '20ms';

export const USAGE = `npm run bench -- [options]   (bench/README.md says what is measured)
  --scale <x>                       multiplies the resource counts (S: 1,000, L: 10,000, selector: 200); default 1
  --max-concurrent-reconciles <n>   the operator's flag and the baseline's concurrency; default 16
  --create-concurrency <n>          concurrent creates while setting up; default 32
  --window <duration>               job window of S (for developing the bench); default 120s
  --poll-interval <duration>        the operator's poll interval (for developing the bench); default 10s
  --profile                         CPU profiles and heap snapshots of the operator processes
  --against-go                      S and L for the TS operator and the Go baseline, one table
  --go-source <dir>                 the Go baseline's sources; default shared/baseline/go-controller-runtime
  --node-options="<flags>"          the TS operator's Node flags instead of the Deployment's NODE_OPTIONS
  --help                            this text
`;

/** The bench's settings from its arguments; undefined for --help. */
export function parseBenchArgs(args: readonly string[]): BenchSettings | undefined {
  const { values } = parseArgs({
    args: [...args],
    options: {
      scale: { type: 'string', default: '1' },
      'max-concurrent-reconciles': { type: 'string', default: '16' },
      'create-concurrency': { type: 'string', default: '32' },
      window: { type: 'string', default: '120s' },
      'poll-interval': { type: 'string', default: '10s' },
      profile: { type: 'boolean', default: false },
      'against-go': { type: 'boolean', default: false },
      'go-source': { type: 'string' },
      'node-options': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const scale = Number(values.scale);
  if (!(scale > 0)) throw new Error('--scale must be > 0');
  return {
    scale,
    concurrency: Number(values['max-concurrent-reconciles']),
    createConcurrency: Number(values['create-concurrency']),
    windowMs: seconds(values.window) * 1000,
    pollMs: seconds(values['poll-interval']) * 1000,
    sResources: Math.max(2, Math.round(1000 * scale)),
    lResources: Math.max(2, Math.round(10_000 * scale)),
    selectorResources: Math.max(20, Math.round(200 * scale)),
    profile: values.profile,
    againstGo: values['against-go'],
    goSource: values['go-source'],
    nodeOptions: values['node-options']?.split(/\s+/).filter(Boolean),
  };
}

/** "10s", "250ms", "2m" → seconds. */
export function seconds(text: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text ?? '');
  if (!match) throw new Error(`not a duration: ${String(text)}`);
  const n = Number(match[1]);
  return match[2] === 'ms' ? n / 1000 : match[2] === 'm' ? n * 60 : n;
}

/** The TS operator's Node flags: --node-options when given, else the Deployment's NODE_OPTIONS. */
export async function operatorNodeFlags(
  settings: BenchSettings,
  repoRoot: string,
): Promise<string[]> {
  return settings.nodeOptions ?? (await nodeOptionsOfDeployment(repoRoot));
}

/** The literal environment values of the operator container in manifests/base/deployment.yaml. */
export async function environmentOfDeployment(repoRoot: string): Promise<Record<string, string>> {
  const text = await readFile(join(repoRoot, 'manifests', 'base', 'deployment.yaml'), 'utf8');
  const values: Record<string, string> = {};
  for (const doc of parseAllDocuments(text)) {
    const d = doc.toJS() as {
      kind?: string;
      spec?: {
        template?: {
          spec?: { containers?: { env?: { name: string; value?: string | number }[] }[] };
        };
      };
    };
    if (d.kind !== 'Deployment') continue;
    for (const container of d.spec?.template?.spec?.containers ?? [])
      for (const env of container.env ?? [])
        if (env.value !== undefined) values[env.name] = String(env.value);
  }
  return values;
}

/** NODE_OPTIONS of the operator container in manifests/base/deployment.yaml, split into flags. */
export async function nodeOptionsOfDeployment(repoRoot: string): Promise<string[]> {
  const value = (await environmentOfDeployment(repoRoot))['NODE_OPTIONS'] ?? '';
  return value.split(/\s+/).filter(Boolean);
}

/**
 * The rest of the Deployment's environment the TS operator runs with (MALLOC_ARENA_MAX): every
 * literal value but NODE_OPTIONS, which `operatorNodeFlags` gives as flags.
 */
export async function operatorEnvironment(repoRoot: string): Promise<Record<string, string>> {
  const env = await environmentOfDeployment(repoRoot);
  return Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'NODE_OPTIONS'));
}

/** `NAME=value` pairs for the log and the run's JSON, `none` when empty. */
export function environmentText(env: Record<string, string>): string {
  const pairs = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  return pairs.length > 0 ? pairs.join(' ') : 'none';
}

/** The settings every run's JSON records. */
export function recordedSettings(settings: BenchSettings): Record<string, string | number> {
  return {
    sResources: settings.sResources,
    lResources: settings.lResources,
    pollInterval: `${String(settings.pollMs / 1000)}s`,
    jobWindow: `${String(settings.windowMs / 1000)}s`,
    simLatency: SIM_LATENCY,
    maxConcurrentReconciles: settings.concurrency,
  };
}

/** When a run started, how long it took and at what scale. */
export function runRecord(
  settings: BenchSettings,
  started: number,
): { when: string; durationSeconds: number; scale: number } {
  return {
    when: new Date(started).toISOString(),
    durationSeconds: (Date.now() - started) / 1000,
    scale: settings.scale,
  };
}

/**
 * Writes a run's JSON to `repoRoot`/bench/results/<kind>-<start time>-scale-<scale>.json and
 * returns the file's path.
 */
export async function writeResults(
  repoRoot: string,
  kind: string,
  settings: BenchSettings,
  started: number,
  result: unknown,
): Promise<string> {
  const dir = join(repoRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const time = new Date(started).toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `${kind}-${time}-scale-${String(settings.scale)}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

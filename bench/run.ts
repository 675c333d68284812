// The operator benchmark: a real kube-apiserver, the UCS simulator and the operator, each in its
// own process. Run: npm run bench [-- --scale 0.1] [--max-concurrent-reconciles 16]
// Prints a table of figures next to their limits and writes JSON to bench/results/.
// bench/README.md says what each figure means and how it is measured.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import pLimit from 'p-limit';
import { parseAllDocuments } from 'yaml';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from '../src/api/index.js';
import type { PolicyJobWatch } from '../src/api/index.js';
import { LocalControlPlane } from '../src/control-plane/index.js';
import { PooledKubeConfig } from '../src/kube/pooled-kube-config.js';
import { installCrd } from '../harness/crd.js';
import { histogramQuantile, metricSum, quantile } from './lib/prometheus.js';
import {
  REPO_ROOT,
  cliEntry,
  sleep,
  startOperator,
  startSimulator,
  takeHeapSnapshot,
  type OperatorRun,
} from './lib/processes.js';
import {
  changes,
  progressOf,
  scenarioLJobIds,
  scenarioS,
  simScenario,
  type ScenarioS,
} from './lib/scenario.js';

const { values: argv } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    'max-concurrent-reconciles': { type: 'string', default: '16' },
    'create-concurrency': { type: 'string', default: '32' },
    // For developing the bench only: shorter job window and poll interval.
    window: { type: 'string', default: '120s' },
    'poll-interval': { type: 'string', default: '10s' },
    // CPU profiles of the operator processes and heap snapshots after S and after L.
    profile: { type: 'boolean', default: false },
  },
});

const SCALE = Number(argv.scale);
const CONCURRENCY = Number(argv['max-concurrent-reconciles']);
const CREATE_CONCURRENCY = Number(argv['create-concurrency']);
const WINDOW_MS = seconds(argv.window) * 1000;
const POLL_MS = seconds(argv['poll-interval']) * 1000;
const S_RESOURCES = Math.max(2, Math.round(1000 * SCALE));
const L_RESOURCES = Math.max(2, Math.round(10_000 * SCALE));
const TOKEN = 'bench-token-0f3a9c1d';
const SECRET_NS = 'bench-system';
const NS = { idle: 'bench-idle', s: 'bench-s', l: 'bench-l', base: 'bench-base' };
const UCS_FLAGS = { qps: '10000', burst: '100000', maxInFlight: '64' };

function seconds(text: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text ?? '');
  if (!match) throw new Error(`not a duration: ${String(text)}`);
  const n = Number(match[1]);
  return match[2] === 'ms' ? n / 1000 : match[2] === 'm' ? n * 60 : n;
}

const started = Date.now();
const say = (line: string): void => {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
};

interface Figure {
  id: string;
  name: string;
  value: number;
  unit: string;
  limit?: string;
  pass?: boolean;
  detail?: string;
}

const figures: Figure[] = [];
const details: Record<string, unknown> = {};

async function main(): Promise<void> {
  if (!(SCALE > 0)) throw new Error('--scale must be > 0');
  const entry = cliEntry();
  const runDir = await mkdtemp(join(tmpdir(), 'policyjobwatch-bench-'));
  const machine = {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    freeMemoryGiB: +(freemem() / 2 ** 30).toFixed(1),
    node: process.version,
    operatorEntry: entry.why,
  };
  say(`scale ${SCALE}: S ${S_RESOURCES} resources, L ${L_RESOURCES}; logs in ${runDir}`);
  say(`operator runs ${entry.why}; simulator ${cliEntry('dev-cli').why}`);
  const profileDir = join(runDir, 'profile');
  // The operator runs with the Node options its Deployment sets (the heap size it ships with).
  const deploymentNodeOptions = await nodeOptionsOfDeployment();
  say(
    `operator Node options, from manifests/base/deployment.yaml: ${deploymentNodeOptions.join(' ')}`,
  );
  const nodeFlags = [
    ...deploymentNodeOptions,
    ...(argv.profile
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${profileDir}`,
          '--heapsnapshot-signal=SIGUSR2',
          `--diagnostic-dir=${profileDir}`,
        ]
      : []),
  ];
  if (argv.profile) {
    await mkdir(profileDir, { recursive: true });
    say(`profiling: CPU profiles and heap snapshots in ${profileDir}`);
  }
  const snapshot = async (run: OperatorRun, phase: string): Promise<void> => {
    if (!argv.profile) return;
    const file = await takeHeapSnapshot(run.run, profileDir);
    say(`${phase}: heap snapshot ${file}`);
  };

  const cp = await LocalControlPlane.start({ log: say });
  say(`control plane: ${cp.describe()}`);
  // The operator's own pooled client, so that the baseline pays no more per request than it.
  const kc = new PooledKubeConfig();
  kc.loadFromString(cp.kubeconfigYaml());
  const core = kc.makeApiClient(CoreV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  let sim: Awaited<ReturnType<typeof startSimulator>> | undefined;
  let operator: OperatorRun | undefined;
  try {
    await installCrd(kc);
    for (const ns of [SECRET_NS, ...Object.values(NS)])
      await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespacedSecret({
      namespace: SECRET_NS,
      body: { metadata: { name: 'ucs-credentials' }, stringData: { token: TOKEN } },
    });

    const s = scenarioS(S_RESOURCES, WINDOW_MS);
    const lJobs = scenarioLJobIds(L_RESOURCES);
    const scenarioFile = join(runDir, 'scenario.json');
    await writeFile(scenarioFile, JSON.stringify(simScenario(s, lJobs)));
    sim = await startSimulator(
      ['--latency', '20ms', '--scenario', scenarioFile],
      join(runDir, 'ucs-sim.log'),
      { UCS_SIM_TOKEN: TOKEN },
    );
    say(`ucs-sim at ${sim.url}: ${s.jobs.length + lJobs.length} jobs`);
    const simUrl = sim.url;

    const operatorFlags = (namespace: string): Record<string, string> => ({
      kubeconfig: cp.kubeconfigPath,
      namespace,
      'ucs-endpoint': simUrl,
      // As users list theirs (the simulator is plain HTTP on loopback).
      'allowed-endpoints': simUrl,
      'credentials-secret': `${SECRET_NS}/ucs-credentials`,
      'poll-interval': `${POLL_MS / 1000}s`,
      'max-concurrent-reconciles': String(CONCURRENCY),
      'ucs-qps': UCS_FLAGS.qps,
      'ucs-burst': UCS_FLAGS.burst,
      'ucs-max-in-flight': UCS_FLAGS.maxInFlight,
    });

    // --- idle operator: the memory a process takes with no resources --------------------
    operator = await startOperator(
      entry.args,
      operatorFlags(NS.idle),
      join(runDir, 'operator-idle.log'),
      nodeFlags,
    );
    await sleep(2000);
    const idle = parseOperatorMetrics(await fetchText(operator.metricsUrl));
    await operator.run.stop();
    operator = undefined;
    say(`idle operator: RSS ${mib(idle.rss)} MiB, heap ${mib(idle.heap)} MiB`);

    // --- scenario S -------------------------------------------------------------------
    const createLimit = pLimit(CREATE_CONCURRENCY);
    const create = (namespace: string, name: string, jobIDs: string[]): Promise<unknown> =>
      createLimit(() =>
        objects.createNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace,
          plural: PLURAL,
          body: {
            apiVersion: API_VERSION,
            kind: KIND,
            metadata: { name, namespace },
            spec: { jobIDs },
          },
        }),
      );
    let t = Date.now();
    await Promise.all([...s.resources].map(([name, jobIDs]) => create(NS.s, name, jobIDs)));
    say(`S: created ${S_RESOURCES} resources in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    const sWatch = new StatusWatch(kc, NS.s);
    await sWatch.start();
    await simAdmin(simUrl, 'DELETE', '/_sim/stats');
    const writesBefore = await statusWrites(cp);
    const before = Date.now();
    await simAdmin(simUrl, 'POST', '/_sim/start');
    const epoch = (before + Date.now()) / 2;
    operator = await startOperator(
      entry.args,
      operatorFlags(NS.s),
      join(runDir, 'operator-s.log'),
      nodeFlags,
    );
    say(`S: operator started ${((Date.now() - epoch) / 1000).toFixed(1)} s after the job epoch`);

    const snapshots: { at: number; jobs: Record<string, number> }[] = [];
    const deadline = epoch + WINDOW_MS + 4 * POLL_MS + 30_000;
    const finalProgress = new Map(s.jobs.map((j) => [j.id, changes(j).at(-1)?.m ?? 0]));
    let lastSay = 0;
    for (;;) {
      const stats = (await simAdmin(simUrl, 'GET', '/_sim/stats')) as {
        jobs: Record<string, number>;
      };
      snapshots.push({ at: Date.now(), jobs: stats.jobs });
      const done = sWatch.countDone(s, finalProgress);
      if (Date.now() - lastSay > 15_000) {
        say(`S: ${done}/${S_RESOURCES} resources show every job terminal`);
        lastSay = Date.now();
      }
      if (done === S_RESOURCES || Date.now() > deadline) break;
      await sleep(2000);
    }
    // A quiet period after the last terminal status: no calls may follow it.
    await sleep(Math.min(POLL_MS / 2, 5000));
    const finalStats = (await simAdmin(simUrl, 'GET', '/_sim/stats')) as {
      jobs: Record<string, number>;
    };
    snapshots.push({ at: Date.now(), jobs: finalStats.jobs });
    const sMetrics = parseOperatorMetrics(await fetchText(operator.metricsUrl));
    const writes = (await statusWrites(cp)) - writesBefore;
    await snapshot(operator, 'S');
    await operator.run.stop();
    operator = undefined;
    sWatch.stop();
    reportS(s, sWatch, snapshots, finalStats.jobs, epoch, writes, sMetrics, idle);

    // --- scenario L -------------------------------------------------------------------
    t = Date.now();
    const lNames = lJobs.map((_, i) => `l-${String(i).padStart(5, '0')}`);
    const baseNames = lJobs.map((_, i) => `b-${String(i).padStart(5, '0')}`);
    await Promise.all([
      ...lNames.map((name, i) => create(NS.l, name, [lJobs[i] ?? ''])),
      ...baseNames.map((name) => create(NS.base, name, ['baseline'])),
    ]);
    say(`L: created ${2 * L_RESOURCES} resources in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const lWatch = new StatusWatch(kc, NS.l);
    await lWatch.start();
    const lStart = Date.now();
    operator = await startOperator(
      entry.args,
      operatorFlags(NS.l),
      join(runDir, 'operator-l.log'),
      nodeFlags,
    );
    const lReady = Date.now() - lStart;
    const lDeadline = Date.now() + 600_000;
    while (lWatch.withStatus < L_RESOURCES && Date.now() < lDeadline) await sleep(100);
    const lTime = (lWatch.lastStatusAt - lStart) / 1000;
    say(`L: ${lWatch.withStatus}/${L_RESOURCES} resources have status after ${lTime.toFixed(1)} s`);
    await sleep(2000);
    const lMetrics = parseOperatorMetrics(await fetchText(operator.metricsUrl));
    await snapshot(operator, 'L');
    await operator.run.stop();
    operator = undefined;
    lWatch.stop();

    // Baseline: the same number of plain status patches, same client, same concurrency.
    const sample = lWatch.sampleStatus;
    if (sample === undefined) throw new Error('L: no status to copy for the baseline');
    const patchLimit = pLimit(CONCURRENCY);
    const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
    const b0 = Date.now();
    await Promise.all(
      baseNames.map((name) =>
        patchLimit(() =>
          objects.patchNamespacedCustomObjectStatus(
            {
              group: GROUP,
              version: VERSION,
              namespace: NS.base,
              plural: PLURAL,
              name,
              body: {
                apiVersion: API_VERSION,
                kind: KIND,
                metadata: { name, namespace: NS.base },
                status: sample,
              },
              fieldManager: 'bench-baseline',
              force: true,
            },
            apply,
          ),
        ),
      ),
    );
    const baseTime = (Date.now() - b0) / 1000;
    say(`L: baseline ${L_RESOURCES} status patches in ${baseTime.toFixed(1)} s`);
    reportL(lTime, baseTime, lReady, lWatch.withStatus, lMetrics, idle);

    await sim.run.stop();
    sim = undefined;
    const result = {
      when: new Date(started).toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      scale: SCALE,
      settings: {
        sResources: S_RESOURCES,
        lResources: L_RESOURCES,
        pollInterval: `${POLL_MS / 1000}s`,
        jobWindow: `${WINDOW_MS / 1000}s`,
        simLatency: '20ms',
        maxConcurrentReconciles: CONCURRENCY,
        ucsQps: Number(UCS_FLAGS.qps),
        ucsBurst: Number(UCS_FLAGS.burst),
        ucsMaxInFlight: Number(UCS_FLAGS.maxInFlight),
        createConcurrency: CREATE_CONCURRENCY,
        operatorNodeOptions: deploymentNodeOptions.join(' '),
      },
      machine: { ...machine, controlPlane: cp.describe() },
      figures,
      details,
    };
    printTable(result.settings, machine);
    await mkdir(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    const file = join(
      REPO_ROOT,
      'bench',
      'results',
      `bench-${new Date(started).toISOString().replace(/[:.]/g, '-')}-scale-${String(SCALE)}.json`,
    );
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    say(`wrote ${file} in ${((Date.now() - started) / 1000).toFixed(0)} s total`);
  } finally {
    await operator?.run.stop();
    await sim?.run.stop();
    await cp.stop();
  }
}

// --- measurements ------------------------------------------------------------------------

interface OperatorMetrics {
  rss: number;
  heap: number;
  heapTotal: number;
  external: number;
  /** Events the operator dropped because its event queue was full. */
  eventsDropped: number;
  /** Upper bounds of the histogram buckets holding the 99th percentile, in seconds. */
  p99: { queueWait: number; reconcile: number; ucsCall: number };
  cpuSeconds: number;
  reconciles: number;
}

function parseOperatorMetrics(text: string): OperatorMetrics {
  return {
    rss: metricSum(text, 'process_resident_memory_bytes'),
    heap: metricSum(text, 'nodejs_heap_size_used_bytes'),
    heapTotal: metricSum(text, 'nodejs_heap_size_total_bytes'),
    external: metricSum(text, 'nodejs_external_memory_bytes'),
    eventsDropped: metricSum(text, 'policyjobwatch_events_dropped_total'),
    p99: {
      queueWait: histogramQuantile(text, 'workqueue_queue_duration_seconds', 0.99),
      reconcile: histogramQuantile(text, 'controller_runtime_reconcile_time_seconds', 0.99),
      ucsCall: histogramQuantile(text, 'ucs_api_request_duration_seconds', 0.99),
    },
    cpuSeconds: metricSum(text, 'process_cpu_seconds_total'),
    reconciles: metricSum(text, 'controller_runtime_reconcile_total'),
  };
}

/** Status write requests on PolicyJobWatch resources the apiserver served, from its /metrics. */
async function statusWrites(cp: LocalControlPlane): Promise<number> {
  const answer = await cp.apiGet('/metrics');
  return metricSum(
    answer.body,
    'apiserver_request_total',
    (l) =>
      l.resource === PLURAL &&
      l.subresource === 'status' &&
      ['PATCH', 'APPLY', 'UPDATE'].includes(l.verb ?? ''),
  );
}

/**
 * Watches one namespace and keeps, per resource: when each job's progress value first reached
 * each level, and how many times the mirrored job data (status.jobs) changed.
 */
class StatusWatch {
  private abort: AbortController | undefined;
  /** resource → job → [time, progress] whenever the progress rose. */
  readonly progress = new Map<string, Map<string, [number, number][]>>();
  private readonly lastJobs = new Map<string, string>();
  private readonly firstStatus = new Map<string, number>();
  realChanges = 0;
  statusModified = 0;
  withStatus = 0;
  lastStatusAt = 0;
  sampleStatus: PolicyJobWatch['status'];

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
  ) {}

  async start(): Promise<void> {
    // The initial ADDED events (resources without status) come first; they count for nothing.
    this.abort = await new Watch(this.kc).watch(
      `/apis/${GROUP}/${VERSION}/namespaces/${this.namespace}/${PLURAL}`,
      {},
      (type: string, obj: PolicyJobWatch) => {
        this.onEvent(type, obj);
      },
      (err: unknown) => {
        if (err && this.abort && !this.abort.signal.aborted)
          say(
            `watch of ${this.namespace} ended: ${err instanceof Error ? err.message : JSON.stringify(err)}`,
          );
      },
    );
  }

  stop(): void {
    this.abort?.abort();
  }

  firstStatusAt(name: string): number | undefined {
    return this.firstStatus.get(name);
  }

  private onEvent(type: string, obj: PolicyJobWatch): void {
    if (type !== 'ADDED' && type !== 'MODIFIED') return;
    const name = obj.metadata.name ?? '';
    const status = obj.status;
    if (status === undefined) return;
    const now = Date.now();
    if (!this.firstStatus.has(name)) {
      this.firstStatus.set(name, now);
      this.withStatus += 1;
      this.lastStatusAt = now;
      this.sampleStatus ??= status;
    }
    const jobs = (status.jobs ?? []).map(({ lastError: _ignored, ...rest }) => rest);
    const key = JSON.stringify(jobs);
    const previous = this.lastJobs.get(name);
    if (type === 'MODIFIED') this.statusModified += 1;
    if (previous !== key) {
      this.realChanges += 1;
      this.lastJobs.set(name, key);
    }
    let perJob = this.progress.get(name);
    if (!perJob) this.progress.set(name, (perJob = new Map<string, [number, number][]>()));
    for (const job of status.jobs ?? []) {
      const m = progressOf(job);
      let list = perJob.get(job.jobID);
      if (!list) perJob.set(job.jobID, (list = []));
      const last = list.at(-1);
      if (last === undefined || m > last[1]) list.push([now, m]);
    }
  }

  /** When the resource first showed the job at progress ≥ m. */
  seenAt(resource: string, job: string, m: number): number | undefined {
    return this.progress
      .get(resource)
      ?.get(job)
      ?.find(([, v]) => v >= m)?.[0];
  }

  countDone(s: ScenarioS, finalProgress: ReadonlyMap<string, number>): number {
    let done = 0;
    for (const [name, jobIDs] of s.resources) {
      if (jobIDs.every((id) => this.seenAt(name, id, finalProgress.get(id) ?? 0) !== undefined))
        done += 1;
    }
    return done;
  }
}

function reportS(
  s: ScenarioS,
  watch: StatusWatch,
  snapshots: { at: number; jobs: Record<string, number> }[],
  finalCounts: Record<string, number>,
  epoch: number,
  writes: number,
  metrics: OperatorMetrics,
  idle: OperatorMetrics,
): void {
  // (1) calls per (unique non-terminal job × poll interval).
  let calls = 0;
  let expected = 0;
  let afterTerminal = 0;
  const byJob = new Map<string, string[]>();
  for (const [name, ids] of s.resources)
    for (const id of ids) byJob.set(id, [...(byJob.get(id) ?? []), name]);
  for (const job of s.jobs) {
    calls += finalCounts[job.id] ?? 0;
    // Polled from the first status of a resource naming it: one call per interval while the
    // job is not terminal, plus the one call that finds it terminal.
    const firstSeen = Math.min(
      ...(byJob.get(job.id) ?? []).map((r) => watch.firstStatusAt(r) ?? Infinity),
    );
    const from = Number.isFinite(firstSeen) ? firstSeen - epoch : 0;
    expected += Math.max(0, Math.ceil((job.finishMs - from) / POLL_MS)) + 1;
    const final = changes(job).at(-1)?.m ?? 0;
    const seen = (byJob.get(job.id) ?? []).map((r) => watch.seenAt(r, job.id, final));
    if (seen.some((x) => x === undefined)) continue;
    const terminalSeen = Math.max(...(seen as number[]));
    const snap = snapshots.find((x) => x.at >= terminalSeen + 1000);
    if (snap) afterTerminal += (finalCounts[job.id] ?? 0) - (snap.jobs[job.id] ?? 0);
  }
  const callRatio = calls / expected;
  figures.push({
    id: '1',
    name: 'UCS calls per (unique non-terminal job x poll interval)',
    value: callRatio,
    unit: '',
    limit: 'limit 1.00, target <= 1.02',
    pass: callRatio <= 1.02,
    detail: `${calls} calls / ${expected} expected`,
  });
  figures.push({
    id: '1b',
    name: 'UCS calls for jobs already shown terminal',
    value: afterTerminal,
    unit: 'calls',
    limit: 'must be 0',
    pass: afterTerminal === 0,
  });

  // (2) status writes per real status change.
  const writeRatio = writes / watch.realChanges;
  figures.push({
    id: '2',
    name: 'status writes per real status change',
    value: writeRatio,
    unit: '',
    limit: 'limit 1.00, target <= 1.02',
    pass: writeRatio <= 1.02,
    detail: `${writes} writes / ${watch.realChanges} real changes (${watch.statusModified} MODIFIED events with status)`,
  });

  // (3) lag from a job's change in the simulator to the resource showing it.
  const jobsById = new Map(s.jobs.map((j) => [j.id, j]));
  const lags: number[] = [];
  const sharedLags: number[] = [];
  let unseen = 0;
  let beforeFirstStatus = 0;
  for (const [name, ids] of s.resources) {
    const first = watch.firstStatusAt(name) ?? Infinity;
    for (const id of ids) {
      const job = jobsById.get(id);
      if (!job) continue;
      for (const change of changes(job)) {
        const at = epoch + change.atMs;
        if (at < first) {
          beforeFirstStatus += 1;
          continue;
        }
        const seen = watch.seenAt(name, id, change.m);
        if (seen === undefined) unseen += 1;
        else {
          lags.push((seen - at) / POLL_MS);
          if ((byJob.get(id)?.length ?? 0) > 1) sharedLags.push((seen - at) / POLL_MS);
        }
      }
    }
  }
  const p50 = quantile(lags, 0.5);
  const p99 = quantile(lags, 0.99);
  figures.push({
    id: '3a',
    name: 'lag, p50 (fraction of pollInterval)',
    value: p50,
    unit: 'x poll',
    detail: `${lags.length} changes; ${beforeFirstStatus} before the resource's first status left out; ${unseen} never shown`,
  });
  figures.push({
    id: '3b',
    name: 'lag, p99 (fraction of pollInterval)',
    value: p99,
    unit: 'x poll',
    limit: 'target <= 1.2',
    pass: p99 <= 1.2 && unseen === 0,
    detail: `max ${quantile(lags, 1).toFixed(2)}; jobs named by two resources: p50 ${quantile(sharedLags, 0.5).toFixed(2)}, p99 ${quantile(sharedLags, 0.99).toFixed(2)}`,
  });
  memoryFigures('S', S_RESOURCES, metrics, idle);
  details.S = {
    uniqueJobs: s.jobs.length,
    sharedJobs: s.sharedJobs,
    jobReferences: S_RESOURCES * 3,
    ucsCalls: calls,
    expectedCalls: expected,
    callsAfterTerminalShown: afterTerminal,
    statusWrites: writes,
    realChanges: watch.realChanges,
    modifiedEventsWithStatus: watch.statusModified,
    lagSamples: lags.length,
    lagsBeforeFirstStatus: beforeFirstStatus,
    changesNeverShown: unseen,
    lagMaxPoll: quantile(lags, 1),
    sharedJobLagP50: quantile(sharedLags, 0.5),
    sharedJobLagP99: quantile(sharedLags, 0.99),
    operator: metrics,
  };
}

function memoryFigures(
  phase: string,
  resources: number,
  metrics: OperatorMetrics,
  idle: OperatorMetrics,
): void {
  const perResource = (v: number, base: number): string =>
    `${((v - base) / resources / 1024).toFixed(1)} KiB/resource above idle`;
  figures.push({
    id: `5-${phase}`,
    name: `operator RSS after ${phase} (${resources} resources)`,
    value: metrics.rss / 2 ** 20,
    unit: 'MiB',
    ...(phase === 'L'
      ? { limit: 'target <= 150 MiB at 10,000', pass: metrics.rss / 2 ** 20 <= 150 }
      : {}),
    detail: perResource(metrics.rss, idle.rss),
  });
  figures.push({
    id: `5-${phase}-heap`,
    name: `operator V8 heap used after ${phase}`,
    value: metrics.heap / 2 ** 20,
    unit: 'MiB',
    detail: `${perResource(metrics.heap, idle.heap)}; heap total ${mib(metrics.heapTotal)} MiB, external ${mib(metrics.external)} MiB`,
  });
  const cpuPer1000 = (metrics.cpuSeconds / metrics.reconciles) * 1000;
  figures.push({
    id: `6-${phase}`,
    name: `CPU seconds per 1,000 reconciles (${phase})`,
    value: cpuPer1000,
    unit: 's',
    detail: `${metrics.cpuSeconds.toFixed(1)} s / ${metrics.reconciles} reconciles (process total, start-up included); p99 at most: queue wait ${String(metrics.p99.queueWait)} s, reconcile ${String(metrics.p99.reconcile)} s, UCS call ${String(metrics.p99.ucsCall)} s; ${String(metrics.eventsDropped)} events dropped`,
  });
}

function reportL(
  lTime: number,
  baseTime: number,
  readyMs: number,
  withStatus: number,
  metrics: OperatorMetrics,
  idle: OperatorMetrics,
): void {
  const ratio = lTime / baseTime;
  figures.push({
    id: '4',
    name: `L: time to status on all resources / plain status patches`,
    value: ratio,
    unit: '',
    limit: 'target <= 1.5',
    pass: ratio <= 1.5 && withStatus === L_RESOURCES,
    detail: `${lTime.toFixed(1)} s (process start to last status; /healthz after ${(readyMs / 1000).toFixed(1)} s) / ${baseTime.toFixed(1)} s for ${L_RESOURCES} patches at concurrency ${CONCURRENCY}`,
  });
  memoryFigures('L', L_RESOURCES, metrics, idle);
  details.L = {
    seconds: lTime,
    baselineSeconds: baseTime,
    resourcesWithStatus: withStatus,
    operator: metrics,
  };
  details.idleOperator = idle;
}

function printTable(settings: Record<string, unknown>, machine: Record<string, unknown>): void {
  const rows = figures.map((f) => [
    f.id,
    f.name,
    `${Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(2)}${f.unit && f.unit !== '' ? ` ${f.unit}` : ''}`,
    f.limit ?? '',
    f.pass === undefined ? '' : f.pass ? 'ok' : 'MISSED',
    f.detail ?? '',
  ]);
  const head = ['#', 'figure', 'value', 'limit / target', '', 'detail'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const out = [
    '',
    `settings: ${JSON.stringify(settings)}`,
    `machine: ${JSON.stringify(machine)}`,
    '',
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
  ];
  process.stdout.write(out.join('\n'));
}

// --- small helpers -----------------------------------------------------------------------

/** NODE_OPTIONS of the operator container in manifests/base/deployment.yaml, split into flags. */
async function nodeOptionsOfDeployment(): Promise<string[]> {
  const text = await readFile(join(REPO_ROOT, 'manifests', 'base', 'deployment.yaml'), 'utf8');
  for (const doc of parseAllDocuments(text)) {
    const d = doc.toJS() as {
      kind?: string;
      spec?: {
        template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } };
      };
    };
    if (d.kind !== 'Deployment') continue;
    for (const container of d.spec?.template?.spec?.containers ?? [])
      for (const env of container.env ?? [])
        if (env.name === 'NODE_OPTIONS' && env.value) return env.value.split(/\s+/).filter(Boolean);
  }
  return [];
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${String(res.status)}`);
  return res.text();
}

async function simAdmin(base: string, method: string, path: string): Promise<unknown> {
  const res = await fetch(`${base}${path}`, { method });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${String(res.status)}`);
  return res.json();
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

await main().catch((err: unknown) => {
  process.stderr.write(
    `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});

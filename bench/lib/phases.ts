// The phases of a bench run. Each takes what it needs (the cluster, an operator launcher, the
// scenario) and returns what it measured; reports turn that into figures (report.ts). A phase
// starts its operator through the launcher, so the same phase can run against any build of it.
import {
  PatchStrategy,
  setHeaderOptions,
  type CustomObjectsApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import pLimit from 'p-limit';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from '../../src/api/index.js';
import type { PolicyJobWatch } from '../../src/api/index.js';
import type { LocalControlPlane } from '../../src/control-plane/index.js';
import { sleep } from '../../harness/eventually.js';
import { fetchOperatorMetrics, mib, type OperatorMetrics } from './operator-metrics.js';
import { metricSum } from './prometheus.js';
import type { CallSnapshot, SelectorMeasurements, SMeasurements } from './report.js';
import { changes, type ScenarioS } from './scenario.js';
import type { BenchSettings } from './settings.js';
import { StatusWatch } from './status-watch.js';

export type Say = (line: string) => void;
export type Phase = 'idle' | 'S' | 'L' | 'selector';

/** What every phase works against: the control plane, its clients and the simulator. */
export interface BenchCluster {
  settings: BenchSettings;
  cp: LocalControlPlane;
  kc: KubeConfig;
  objects: CustomObjectsApi;
  simUrl: string;
  say: Say;
}

/** An operator process a phase measures, started and ready (its /healthz answers). */
export interface BenchOperator {
  metricsUrl: string;
  /** Asks for a heap snapshot (when profiling; else nothing). */
  snapshot(): Promise<void>;
  /** Stops it; idempotent. */
  stop(): Promise<void>;
}

/** Starts an operator watching `namespace` for `phase`; resolves once it is healthy. */
export type OperatorLauncher = (phase: Phase, namespace: string) => Promise<BenchOperator>;

/** The idle baseline: an operator with no resources, after 2 s. */
export async function idlePhase(
  env: BenchCluster,
  launch: OperatorLauncher,
  namespace: string,
): Promise<OperatorMetrics> {
  const operator = await launch('idle', namespace);
  try {
    await sleep(2000);
    const idle = await fetchOperatorMetrics(operator.metricsUrl);
    env.say(`idle operator: RSS ${mib(idle.rss)} MiB, heap ${mib(idle.heap)} MiB`);
    return idle;
  } finally {
    await operator.stop();
  }
}

/**
 * Scenario S: creates its resources, restarts the simulator's timelines (the epoch), starts the
 * operator and follows it until every resource shows every job terminal (plus a quiet period).
 */
export async function sPhase(
  env: BenchCluster,
  launch: OperatorLauncher,
  s: ScenarioS,
  namespace: string,
): Promise<SMeasurements> {
  const { settings, say, simUrl } = env;
  const t = Date.now();
  await createResources(env, namespace, [...s.resources]);
  say(`S: created ${s.resources.size} resources in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const watch = new StatusWatch(env.kc, namespace, say);
  await watch.start();
  try {
    await simAdmin(simUrl, 'DELETE', '/_sim/stats');
    const writesBefore = await statusWrites(env.cp);
    const before = Date.now();
    await simAdmin(simUrl, 'POST', '/_sim/start');
    const epoch = (before + Date.now()) / 2;
    const operator = await launch('S', namespace);
    try {
      say(`S: operator started ${((Date.now() - epoch) / 1000).toFixed(1)} s after the job epoch`);
      const snapshots: CallSnapshot[] = [];
      const deadline = epoch + settings.windowMs + 4 * settings.pollMs + 30_000;
      const finalProgress = new Map(s.jobs.map((j) => [j.id, changes(j).at(-1)?.m ?? 0]));
      let lastSay = 0;
      for (;;) {
        snapshots.push({ at: Date.now(), jobs: (await simStats(simUrl)).jobs });
        const done = watch.countDone(s, finalProgress);
        if (Date.now() - lastSay > 15_000) {
          say(`S: ${done}/${s.resources.size} resources show every job terminal`);
          lastSay = Date.now();
        }
        if (done === s.resources.size || Date.now() > deadline) break;
        await sleep(2000);
      }
      // A quiet period after the last terminal status: no calls may follow it.
      await sleep(Math.min(settings.pollMs / 2, 5000));
      const finalCounts = (await simStats(simUrl)).jobs;
      snapshots.push({ at: Date.now(), jobs: finalCounts });
      const metrics = await fetchOperatorMetrics(operator.metricsUrl);
      const writes = (await statusWrites(env.cp)) - writesBefore;
      await operator.snapshot();
      return { watch, snapshots, finalCounts, epoch, writes, metrics };
    } finally {
      await operator.stop();
    }
  } finally {
    watch.stop();
  }
}

/** The resources of L (one terminal job each) and as many for the baseline's patches. */
export async function createLResources(
  env: BenchCluster,
  lJobs: readonly string[],
  namespaces: { l: string; base: string },
): Promise<{ baseNames: string[] }> {
  const t = Date.now();
  const lNames = lJobs.map((_, i) => `l-${String(i).padStart(5, '0')}`);
  const baseNames = lJobs.map((_, i) => `b-${String(i).padStart(5, '0')}`);
  await Promise.all([
    createResources(
      env,
      namespaces.l,
      lNames.map((name, i) => [name, [lJobs[i] ?? '']]),
    ),
    createResources(
      env,
      namespaces.base,
      baseNames.map((name) => [name, ['baseline']]),
    ),
  ]);
  env.say(`L: created ${2 * lJobs.length} resources in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return { baseNames };
}

export interface LPhaseResult {
  /** Seconds from spawning the operator to the last resource's first status. */
  seconds: number;
  /** Milliseconds from spawning the operator to its /healthz answering. */
  readyMs: number;
  withStatus: number;
  metrics: OperatorMetrics;
  /** One status the operator wrote, for the baseline to copy. */
  sampleStatus: PolicyJobWatch['status'];
}

/** Scenario L: a fresh operator on `resources` existing resources, until all show a status. */
export async function lPhase(
  env: BenchCluster,
  launch: OperatorLauncher,
  namespace: string,
  resources: number,
): Promise<LPhaseResult> {
  const watch = new StatusWatch(env.kc, namespace, env.say);
  await watch.start();
  try {
    const start = Date.now();
    const operator = await launch('L', namespace);
    try {
      const readyMs = Date.now() - start;
      const deadline = Date.now() + 600_000;
      while (watch.withStatus < resources && Date.now() < deadline) await sleep(100);
      const seconds = (watch.lastStatusAt - start) / 1000;
      env.say(
        `L: ${watch.withStatus}/${resources} resources have status after ${seconds.toFixed(1)} s`,
      );
      await sleep(2000);
      const metrics = await fetchOperatorMetrics(operator.metricsUrl);
      await operator.snapshot();
      return {
        seconds,
        readyMs,
        withStatus: watch.withStatus,
        metrics,
        sampleStatus: watch.sampleStatus,
      };
    } finally {
      await operator.stop();
    }
  } finally {
    watch.stop();
  }
}

/**
 * The baseline of figure 4: as many plain server-side-apply status patches (copies of
 * `status`) from the bench's client at the operator's concurrency; returns the seconds taken.
 */
export async function baselinePhase(
  env: BenchCluster,
  namespace: string,
  names: readonly string[],
  status: PolicyJobWatch['status'],
): Promise<number> {
  if (status === undefined) throw new Error('L: no status to copy for the baseline');
  const limit = pLimit(env.settings.concurrency);
  const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
  const start = Date.now();
  await Promise.all(
    names.map((name) =>
      limit(() =>
        env.objects.patchNamespacedCustomObjectStatus(
          {
            group: GROUP,
            version: VERSION,
            namespace,
            plural: PLURAL,
            name,
            body: { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace }, status },
            fieldManager: 'bench-baseline',
            force: true,
          },
          apply,
        ),
      ),
    ),
  );
  const seconds = (Date.now() - start) / 1000;
  env.say(`L: baseline ${names.length} status patches in ${seconds.toFixed(1)} s`);
  return seconds;
}

/**
 * The selector: `resources` resources with `spec.jobSelector` on one list kind (newest 1 to 3 of
 * its jobs). A fresh operator must serve them all from one list call per poll interval; the
 * simulator counts the list calls. Runs until every resource selected a job, then three more
 * intervals.
 */
export async function selectorPhase(
  env: BenchCluster,
  launch: OperatorLauncher,
  namespace: string,
  resources: number,
  kind: string,
): Promise<SelectorMeasurements> {
  const { settings, say, simUrl } = env;
  await createResources(
    env,
    namespace,
    Array.from({ length: resources }, (_, i) => [
      `sel-${String(i).padStart(4, '0')}`,
      { jobSelector: { kind, newest: 1 + (i % 3) } },
    ]),
  );
  await simAdmin(simUrl, 'DELETE', '/_sim/stats');
  const start = Date.now();
  const operator = await launch('selector', namespace);
  try {
    const deadline = Date.now() + 120_000;
    let selected = 0;
    for (;;) {
      const list = (await env.objects.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
      })) as { items: PolicyJobWatch[] };
      selected = list.items.filter((o) => (o.status?.selectedJobIDs?.length ?? 0) > 0).length;
      if (selected === resources || Date.now() > deadline) break;
      await sleep(1000);
    }
    say(`selector: ${selected}/${resources} resources selected a job`);
    // Three more poll intervals: each may cost one list call, shared by every resource.
    await sleep(3 * settings.pollMs);
    const stats = (await simAdmin(simUrl, 'GET', '/_sim/stats')) as {
      lists?: Record<string, number>;
    };
    const elapsedMs = Date.now() - start;
    return { resources, kind, listCalls: stats.lists?.[kind] ?? 0, elapsedMs, selected };
  } finally {
    await operator.stop();
  }
}

/** Creates PolicyJobWatch resources (name → job IDs or a spec), `createConcurrency` at a time. */
export async function createResources(
  env: BenchCluster,
  namespace: string,
  resources: readonly (readonly [string, string[] | PolicyJobWatch['spec']])[],
): Promise<void> {
  const limit = pLimit(env.settings.createConcurrency);
  await Promise.all(
    resources.map(([name, jobs]) =>
      limit(() =>
        env.objects.createNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace,
          plural: PLURAL,
          body: {
            apiVersion: API_VERSION,
            kind: KIND,
            metadata: { name, namespace },
            spec: Array.isArray(jobs) ? { jobIDs: jobs } : jobs,
          },
        }),
      ),
    ),
  );
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

/** The simulator's per-job call counters (`GET /_sim/stats`). */
export function simStats(base: string): Promise<{ jobs: Record<string, number> }> {
  return simAdmin(base, 'GET', '/_sim/stats') as Promise<{ jobs: Record<string, number> }>;
}

async function simAdmin(base: string, method: string, path: string): Promise<unknown> {
  const res = await fetch(`${base}${path}`, { method });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${String(res.status)}`);
  return res.json();
}

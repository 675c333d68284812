// The figures of a bench run, from what the phases measured: pure functions, no I/O.
// bench/README.md says what each figure means.
import { mib, type OperatorMetrics } from './operator-metrics.js';
import { quantile } from './prometheus.js';
import { changes, type ScenarioS } from './scenario.js';
import type { ObservedStatuses } from './status-watch.js';

export interface Figure {
  id: string;
  name: string;
  value: number;
  unit: string;
  limit?: string;
  pass?: boolean;
  detail?: string;
}

export interface Report {
  figures: Figure[];
  details: Record<string, unknown>;
}

/** The per-job call counters of the simulator (`GET /_sim/stats`) at one moment. */
export interface CallSnapshot {
  at: number;
  jobs: Record<string, number>;
}

/** What phase S measured. */
export interface SMeasurements {
  watch: ObservedStatuses;
  /** Call counters every 2 s during S, the last one after the quiet period. */
  snapshots: CallSnapshot[];
  /** The call counters at the end of S. */
  finalCounts: Record<string, number>;
  /** When the simulator's job timelines started. */
  epoch: number;
  /** Status writes the apiserver served during S. */
  writes: number;
  metrics: OperatorMetrics;
}

/** Figures 1, 1b, 2, 3 and S's 5 and 6. */
export function reportS(
  s: ScenarioS,
  m: SMeasurements,
  idle: OperatorMetrics,
  pollMs: number,
): Report {
  const { watch, snapshots, finalCounts, epoch, writes, metrics } = m;
  const resources = s.resources.size;
  const figures: Figure[] = [];
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
    expected += Math.max(0, Math.ceil((job.finishMs - from) / pollMs)) + 1;
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
          lags.push((seen - at) / pollMs);
          if ((byJob.get(id)?.length ?? 0) > 1) sharedLags.push((seen - at) / pollMs);
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
  figures.push(...memoryFigures('S', resources, metrics, idle));
  return {
    figures,
    details: {
      uniqueJobs: s.jobs.length,
      sharedJobs: s.sharedJobs,
      jobReferences: resources * 3,
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
    },
  };
}

/** What phase L and its baseline measured. */
export interface LMeasurements {
  resources: number;
  /** Seconds from spawning the operator to the last resource's first status. */
  seconds: number;
  /** Milliseconds from spawning the operator to its /healthz answering. */
  readyMs: number;
  withStatus: number;
  metrics: OperatorMetrics;
  /** Seconds the baseline took for as many plain status patches. */
  baselineSeconds: number;
  /** The baseline's concurrency (the operator's --max-concurrent-reconciles). */
  concurrency: number;
}

/** Figure 4 and L's 5 and 6. */
export function reportL(m: LMeasurements, idle: OperatorMetrics): Report {
  const ratio = m.seconds / m.baselineSeconds;
  return {
    figures: [
      {
        id: '4',
        name: `L: time to status on all resources / plain status patches`,
        value: ratio,
        unit: '',
        limit: 'target <= 1.5',
        pass: ratio <= 1.5 && m.withStatus === m.resources,
        detail: `${m.seconds.toFixed(1)} s (process start to last status; /healthz after ${(m.readyMs / 1000).toFixed(1)} s) / ${m.baselineSeconds.toFixed(1)} s for ${m.resources} patches at concurrency ${m.concurrency}`,
      },
      ...memoryFigures('L', m.resources, m.metrics, idle),
    ],
    details: {
      seconds: m.seconds,
      baselineSeconds: m.baselineSeconds,
      resourcesWithStatus: m.withStatus,
      operator: m.metrics,
    },
  };
}

/** What the selector phase measured. */
export interface SelectorMeasurements {
  /** Selector resources, all selecting on `kind`. */
  resources: number;
  kind: string;
  /** GET /v1/policy/jobs?kind= calls the simulator counted for `kind`. */
  listCalls: number;
  /** Milliseconds from starting the operator to reading the count. */
  elapsedMs: number;
  /** Resources whose status.selectedJobIDs names at least one job. */
  selected: number;
}

/**
 * Figure 7: list calls per poll interval, however many resources select on the kind. One call at
 * start, then at most one per interval: pass when the calls are at most floor(elapsed/poll) + 1
 * and every resource selected a job.
 */
export function reportSelector(m: SelectorMeasurements, pollMs: number): Report {
  const allowed = Math.floor(m.elapsedMs / pollMs) + 1;
  // The calls after the one at start, per poll interval elapsed: 1 at most, however many resources.
  const perInterval = Math.max(0, m.listCalls - 1) / (m.elapsedMs / pollMs);
  return {
    figures: [
      {
        id: '7',
        name: `selector: list calls per poll interval (${m.resources} resources, kind ${m.kind})`,
        value: perInterval,
        unit: '',
        limit: '1 per kind',
        pass: m.listCalls <= allowed && m.selected === m.resources,
        detail: `${m.listCalls} list calls in ${(m.elapsedMs / 1000).toFixed(1)} s (at most ${allowed} allowed); ${m.selected}/${m.resources} resources selected a job`,
      },
    ],
    details: { ...m, allowedListCalls: allowed },
  };
}

/** Figures 5 (RSS, heap) and 6 (CPU per 1,000 reconciles) of one phase. */
export function memoryFigures(
  phase: string,
  resources: number,
  metrics: OperatorMetrics,
  idle: OperatorMetrics,
): Figure[] {
  const perResource = (v: number, base: number): string =>
    `${((v - base) / resources / 1024).toFixed(1)} KiB/resource above idle`;
  const cpuPer1000 = (metrics.cpuSeconds / metrics.reconciles) * 1000;
  return [
    {
      id: `5-${phase}`,
      name: `operator RSS after ${phase} (${resources} resources)`,
      value: metrics.rss / 2 ** 20,
      unit: 'MiB',
      ...(phase === 'L'
        ? { limit: 'target <= 150 MiB at 10,000', pass: metrics.rss / 2 ** 20 <= 150 }
        : {}),
      detail: perResource(metrics.rss, idle.rss),
    },
    {
      id: `5-${phase}-heap`,
      name: `operator V8 heap used after ${phase}`,
      value: metrics.heap / 2 ** 20,
      unit: 'MiB',
      detail: `${perResource(metrics.heap, idle.heap)}; heap total ${mib(metrics.heapTotal)} MiB, external ${mib(metrics.external)} MiB`,
    },
    {
      id: `6-${phase}`,
      name: `CPU seconds per 1,000 reconciles (${phase})`,
      value: cpuPer1000,
      unit: 's',
      detail: `${metrics.cpuSeconds.toFixed(1)} s / ${metrics.reconciles} reconciles (process total, start-up included); p99 at most: queue wait ${String(metrics.p99.queueWait)} s, reconcile ${String(metrics.p99.reconcile)} s, UCS call ${String(metrics.p99.ucsCall)} s; ${String(metrics.eventsDropped)} events dropped`,
    },
  ];
}

/** The printed table: settings, machine, then one row a figure. */
export function formatTable(
  figures: readonly Figure[],
  settings: Record<string, unknown>,
  machine: Record<string, unknown>,
): string {
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
  return [
    '',
    `settings: ${JSON.stringify(settings)}`,
    `machine: ${JSON.stringify(machine)}`,
    '',
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
  ].join('\n');
}

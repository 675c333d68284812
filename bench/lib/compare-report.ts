// The side-by-side figures of `npm run bench -- --against-go`: the TypeScript operator and the
// controller-runtime baseline on the same work, each figure as TS, Go and TS/Go. Pure functions.
import { cpuSecondsAt, type ProcessSample } from './process-sampler.js';
import type { ScenarioS } from './scenario.js';
import type { ObservedStatuses } from './status-watch.js';

/** What one operator did in one scenario, from spawning it to stopping it. */
export interface ScenarioRun {
  resources: number;
  /** When the operator process was spawned. */
  launchedAt: number;
  /** When the last resource got its first status; undefined if some never got one. */
  everyStatusAt: number | undefined;
  /** When the last resource showed its final state; undefined if some never did. */
  everyFinalAt: number | undefined;
  /** Readings of the operator process (/proc), the last one right before it was stopped. */
  samples: readonly ProcessSample[];
  apiserverCpuSeconds: number;
  ucsCalls: number;
  statusWrites: number;
  eventsWritten: number;
  eventsDropped: number;
  /** Events still waiting to be written when the operator was stopped (NaN: not known). */
  eventsQueued: number;
}

/** What issue 16 asks of a figure: TS/Go at most `max`, or TS's own value at most `max`. */
export interface Target {
  of: 'TS/Go' | 'TS';
  max: number;
}

export interface CompareRow {
  figure: string;
  ts: number;
  go: number;
  target?: Target;
}

const MiB = 2 ** 20;

/** The figures of one scenario, TS next to Go. */
export function compareRows(ts: ScenarioRun, go: ScenarioRun): CompareRow[] {
  const ratioAtMost = (max: number): Target => ({ of: 'TS/Go', max });
  const figures: [string, (r: ScenarioRun) => number, Target?][] = [
    [
      'peak RSS (MiB)',
      (r) => Math.max(0, ...r.samples.map((s) => s.peakRss)) / MiB,
      ratioAtMost(1.5),
    ],
    ['settled RSS at the end (MiB)', (r) => (r.samples.at(-1)?.rss ?? Number.NaN) / MiB],
    [
      'operator CPU s to first status on every resource',
      (r) =>
        r.everyStatusAt === undefined ? Number.NaN : cpuSecondsAt(r.samples, r.everyStatusAt),
    ],
    [
      'operator CPU s, whole run',
      (r) => r.samples.at(-1)?.cpuSeconds ?? Number.NaN,
      ratioAtMost(1.3),
    ],
    ['apiserver CPU s, whole run', (r) => r.apiserverCpuSeconds],
    [
      'time to a status on every resource (s)',
      (r) => secondsAfterLaunch(r, r.everyStatusAt),
      ratioAtMost(1.1),
    ],
    ['time to the final state on every resource (s)', (r) => secondsAfterLaunch(r, r.everyFinalAt)],
    ['UCS calls', (r) => r.ucsCalls, ratioAtMost(1)],
    ['status writes per resource', (r) => r.statusWrites / r.resources, ratioAtMost(1)],
    ['events written', (r) => r.eventsWritten],
    ['events dropped', (r) => r.eventsDropped, { of: 'TS', max: 0 }],
    ['events still queued at the stop', (r) => r.eventsQueued],
  ];
  return figures.map(([figure, of, target]) => ({
    figure,
    ts: of(ts),
    go: of(go),
    ...(target && { target }),
  }));
}

/**
 * Whether a row meets its target: undefined when it has none; false when a value is unknown
 * (a time that never came). A ratio of two zeros meets any target.
 */
export function meetsTarget(row: CompareRow): boolean | undefined {
  const { target, ts, go } = row;
  if (target === undefined) return undefined;
  if (Number.isNaN(ts) || (target.of === 'TS/Go' && Number.isNaN(go))) return false;
  if (target.of === 'TS') return ts <= target.max;
  if (go === 0) return ts === 0;
  return ts / go <= target.max;
}

function targetText(target: Target | undefined): string {
  if (target === undefined) return '';
  if (target.of === 'TS/Go') return `≤ ${target.max.toFixed(1)}x`;
  return target.max === 0 ? 'TS = 0' : `TS ≤ ${String(target.max)}`;
}

function verdict(row: CompareRow | undefined): string {
  const met = row && meetsTarget(row);
  return met === undefined ? '' : met ? 'met' : 'MISSED';
}

function secondsAfterLaunch(r: ScenarioRun, at: number | undefined): number {
  return at === undefined ? Number.NaN : (at - r.launchedAt) / 1000;
}

/** TS/Go as text: "-" when both are 0, "n/a" when either is unknown. */
export function ratio(ts: number, go: number): string {
  if (Number.isNaN(ts) || Number.isNaN(go)) return 'n/a';
  if (go === 0) return ts === 0 ? '-' : 'inf';
  return `${(ts / go).toFixed(2)}x`;
}

function value(v: number): string {
  if (Number.isNaN(v)) return 'n/a';
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
}

/**
 * One Markdown table: a row a figure; for each scenario the columns TS, Go and TS/Go; then the
 * figure's target and, for each scenario, whether it was met.
 */
export function formatCompareTable(
  scenarios: readonly { name: string; rows: readonly CompareRow[] }[],
): string {
  const figures = scenarios[0]?.rows ?? [];
  const head = [
    'figure',
    ...scenarios.flatMap(({ name }) => [`${name}: TS`, 'Go', 'TS/Go']),
    'target',
    ...scenarios.map(({ name }) => name),
  ];
  const body = figures.map(({ figure, target }, i) => [
    figure,
    ...scenarios.flatMap(({ rows }) => {
      const row = rows[i];
      return row === undefined
        ? ['', '', '']
        : [value(row.ts), value(row.go), ratio(row.ts, row.go)];
    }),
    targetText(target),
    ...scenarios.map(({ rows }) => verdict(rows[i])),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const left = (i: number): boolean => i === 0 || i > 3 * scenarios.length;
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (left(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (left(i) ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...body.map(line),
    '',
  ].join('\n');
}

/**
 * When S's last resource got its first status, and when its last resource showed every job at
 * its final progress (undefined while any resource has not).
 */
export function sStatusTimes(
  watch: ObservedStatuses,
  s: ScenarioS,
  finalProgress: ReadonlyMap<string, number>,
): { everyStatusAt: number | undefined; everyFinalAt: number | undefined } {
  let everyStatusAt: number | undefined = 0;
  let everyFinalAt: number | undefined = 0;
  for (const [name, jobIDs] of s.resources) {
    const first = watch.firstStatusAt(name);
    everyStatusAt =
      first === undefined || everyStatusAt === undefined
        ? undefined
        : Math.max(everyStatusAt, first);
    for (const id of jobIDs) {
      const seen = watch.seenAt(name, id, finalProgress.get(id) ?? 0);
      everyFinalAt =
        seen === undefined || everyFinalAt === undefined ? undefined : Math.max(everyFinalAt, seen);
    }
  }
  return { everyStatusAt, everyFinalAt };
}

/**
 * Events a client-go event broadcaster gave up on, from the operator's log: it logs each one
 * (queue full, retries exhausted, rejected by the server, not constructible) and counts none.
 */
export function droppedEventsInLog(log: string): number {
  const gaveUp =
    /dropped event|Unable to write event \(retry limit exceeded|Server rejected event|Unable to construct event|Unable to record event/;
  return log.split('\n').filter((line) => gaveUp.test(line)).length;
}

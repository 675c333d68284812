import { expect } from 'chai';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compareRows,
  droppedEventsInLog,
  formatCompareTable,
  meetsTarget,
  ratio,
  sStatusTimes,
  type ScenarioRun,
} from '../../../bench/lib/compare-report.js';
import { findGoBaseline } from '../../../bench/lib/go-baseline.js';
import { apiserverCounters } from '../../../bench/lib/measured-operator.js';
import {
  cpuSecondsAt,
  cpuSecondsOfStat,
  memoryOfStatus,
  sampleProcess,
  type ProcessSample,
} from '../../../bench/lib/process-sampler.js';
import type { ScenarioS } from '../../../bench/lib/scenario.js';
import type { ObservedStatuses } from '../../../bench/lib/status-watch.js';

const MiB = 2 ** 20;
const T0 = 1_000_000;

function sample(atS: number, cpuSeconds: number, rssMiB: number, peakMiB: number): ProcessSample {
  return { at: T0 + atS * 1000, cpuSeconds, rss: rssMiB * MiB, peakRss: peakMiB * MiB };
}

function run(over: Partial<ScenarioRun>): ScenarioRun {
  return {
    resources: 100,
    launchedAt: T0,
    everyStatusAt: T0 + 10_000,
    everyFinalAt: T0 + 20_000,
    samples: [sample(5, 1, 50, 60), sample(10, 3, 70, 80), sample(30, 9, 40, 80)],
    apiserverCpuSeconds: 12,
    ucsCalls: 300,
    statusWrites: 250,
    eventsWritten: 400,
    eventsDropped: 0,
    eventsQueued: Number.NaN,
    ...over,
  };
}

describe('bench --against-go: the side-by-side report', () => {
  it('takes every figure of a run, TS next to Go', () => {
    const ts = run({
      eventsDropped: 7,
      eventsQueued: 30,
      samples: [sample(8, 2, 90, 120), sample(12, 6, 100, 120)],
    });
    const go = run({ everyStatusAt: T0 + 8_000, everyFinalAt: T0 + 18_000 });
    const rows = Object.fromEntries(compareRows(ts, go).map((r) => [r.figure, [r.ts, r.go]]));
    expect(rows).to.deep.equal({
      'peak RSS (MiB)': [120, 80],
      'settled RSS at the end (MiB)': [100, 40],
      // The first reading at or after the moment every resource had a status.
      'operator CPU s to first status on every resource': [6, 3],
      'operator CPU s, whole run': [6, 9],
      'apiserver CPU s, whole run': [12, 12],
      'time to a status on every resource (s)': [10, 8],
      'time to the final state on every resource (s)': [20, 18],
      'UCS calls': [300, 300],
      'status writes per resource': [2.5, 2.5],
      'events written': [400, 400],
      'events dropped': [7, 0],
      'events still queued at the stop': [30, Number.NaN],
    });
  });

  it('says n/a for a time that never came', () => {
    const rows = compareRows(run({ everyStatusAt: undefined, everyFinalAt: undefined }), run({}));
    const times = rows.filter((r) => /time to|to first status/.test(r.figure));
    expect(times.map((r) => r.ts)).to.deep.equal([Number.NaN, Number.NaN, Number.NaN]);
    expect(times.map((r) => ratio(r.ts, r.go))).to.deep.equal(['n/a', 'n/a', 'n/a']);
  });

  it("gives issue 16's targets to peak RSS, CPU, time to status, UCS calls, writes and drops", () => {
    const targets = Object.fromEntries(
      compareRows(run({}), run({}))
        .filter((r) => r.target)
        .map((r) => [r.figure, r.target]),
    );
    expect(targets).to.deep.equal({
      'peak RSS (MiB)': { of: 'TS/Go', max: 1.5 },
      'operator CPU s, whole run': { of: 'TS/Go', max: 1.3 },
      'time to a status on every resource (s)': { of: 'TS/Go', max: 1.1 },
      'UCS calls': { of: 'TS/Go', max: 1 },
      'status writes per resource': { of: 'TS/Go', max: 1 },
      'events dropped': { of: 'TS', max: 0 },
    });
  });

  it('says whether a row meets its target', () => {
    const ratio15 = { of: 'TS/Go', max: 1.5 } as const;
    expect(meetsTarget({ figure: 'x', ts: 150, go: 100, target: ratio15 })).to.equal(true);
    expect(meetsTarget({ figure: 'x', ts: 151, go: 100, target: ratio15 })).to.equal(false);
    expect(meetsTarget({ figure: 'x', ts: Number.NaN, go: 100, target: ratio15 })).to.equal(false);
    expect(meetsTarget({ figure: 'x', ts: 1, go: Number.NaN, target: ratio15 })).to.equal(false);
    expect(meetsTarget({ figure: 'x', ts: 0, go: 0, target: ratio15 })).to.equal(true);
    expect(meetsTarget({ figure: 'x', ts: 1, go: 0, target: ratio15 })).to.equal(false);
    const none = { of: 'TS', max: 0 } as const;
    expect(meetsTarget({ figure: 'x', ts: 0, go: 9, target: none })).to.equal(true);
    expect(meetsTarget({ figure: 'x', ts: 1, go: 0, target: none })).to.equal(false);
    expect(meetsTarget({ figure: 'x', ts: 1, go: 0 })).to.equal(undefined);
  });

  it('writes ratios that survive zeros', () => {
    expect(ratio(3, 2)).to.equal('1.50x');
    expect(ratio(0, 0)).to.equal('-');
    expect(ratio(5, 0)).to.equal('inf');
    expect(ratio(Number.NaN, 1)).to.equal('n/a');
  });

  it('prints one table with TS, Go and TS/Go columns per scenario', () => {
    const table = formatCompareTable([
      {
        name: 'S',
        rows: [
          { figure: 'UCS calls', ts: 1234, go: 1000, target: { of: 'TS/Go', max: 1 } },
          { figure: 'events written', ts: 3, go: 4 },
          { figure: 'events dropped', ts: 1, go: 0, target: { of: 'TS', max: 0 } },
        ],
      },
      {
        name: 'L',
        rows: [
          { figure: 'UCS calls', ts: 12.5, go: 25, target: { of: 'TS/Go', max: 1 } },
          { figure: 'events written', ts: 5, go: 4 },
          { figure: 'events dropped', ts: 0, go: 0, target: { of: 'TS', max: 0 } },
        ],
      },
    ]);
    const lines = table.trim().split('\n');
    expect(lines).to.have.length(5);
    expect(lines[0]?.split('|').map((c) => c.trim())).to.deep.equal([
      '',
      'figure',
      'S: TS',
      'Go',
      'TS/Go',
      'L: TS',
      'Go',
      'TS/Go',
      'target',
      'S',
      'L',
      '',
    ]);
    expect(lines[2]?.split('|').map((c) => c.trim())).to.deep.equal([
      '',
      'UCS calls',
      '1,234',
      '1,000',
      '1.23x',
      '12.5',
      '25',
      '0.50x',
      '≤ 1.0x',
      'MISSED',
      'met',
      '',
    ]);
    const cells = (line: string | undefined): string[] =>
      (line ?? '').split('|').map((c) => c.trim());
    // The drops of the TS operator against none; a figure without a target has no verdict.
    expect(cells(lines[4]).slice(-4)).to.deep.equal(['TS = 0', 'MISSED', 'met', '']);
    expect(
      lines[3]
        ?.split('|')
        .map((c) => c.trim())
        .slice(-4),
    ).to.deep.equal(['', '', '', '']);
  });

  it("finds when S's last resource got a status and showed its final state", () => {
    const s: ScenarioS = {
      jobs: [],
      resources: new Map([
        ['r1', ['a']],
        ['r2', ['a', 'b']],
      ]),
      sharedJobs: 1,
    };
    const final = new Map([
      ['a', 3],
      ['b', 2],
    ]);
    const first: Record<string, number> = { r1: 100, r2: 200 };
    const seen: Record<string, number> = { 'r1/a/3': 500, 'r2/a/3': 400, 'r2/b/2': 700 };
    const watch = (drop: string[]): ObservedStatuses => ({
      firstStatusAt: (name) => (drop.includes(name) ? undefined : first[name]),
      seenAt: (r, j, m) =>
        drop.includes(`${r}/${j}`) ? undefined : seen[`${r}/${j}/${String(m)}`],
      realChanges: 0,
      statusModified: 0,
    });
    expect(sStatusTimes(watch([]), s, final)).to.deep.equal({
      everyStatusAt: 200,
      everyFinalAt: 700,
    });
    expect(sStatusTimes(watch(['r1', 'r2/b']), s, final)).to.deep.equal({
      everyStatusAt: undefined,
      everyFinalAt: undefined,
    });
  });

  it("counts the events client-go gave up on in the Go operator's log", () => {
    const log = [
      '{"level":"info","msg":"Starting workers"}',
      'E1203 "Unable to write event (retry limit exceeded!)" event="&Event{...}"',
      'E1203 "Unable to write event (may retry after sleeping)" err="..."',
      '{"level":"error","msg":"Server rejected event (will not retry!)"}',
      'E1203 "Unable to record event: too many queued events, dropped event" event=...',
    ].join('\n');
    expect(droppedEventsInLog(log)).to.equal(3);
    expect(droppedEventsInLog('')).to.equal(0);
  });
});

describe('bench --against-go: process readings', () => {
  it('reads CPU seconds from /proc/PID/stat, names with spaces and parentheses included', () => {
    const fields = (name: string): string =>
      `4242 (${name}) S 1 4242 4242 0 -1 4194560 2000 0 3 0 1234 566 0 0 20 0 12 0 100 2000000 500`;
    expect(cpuSecondsOfStat(fields('node'))).to.equal(18);
    expect(cpuSecondsOfStat(fields('a b) (c'))).to.equal(18);
    expect(() => cpuSecondsOfStat('garbage')).to.throw('not a /proc/PID/stat line');
  });

  it('reads RSS and its peak from /proc/PID/status', () => {
    const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t12\n';
    expect(memoryOfStatus(status)).to.deep.equal({ rss: 100 * MiB, peakRss: 200 * MiB });
    expect(() => memoryOfStatus('Name:\tnode\n')).to.throw('no VmRSS');
  });

  it('reads this very process', async () => {
    const s = await sampleProcess(process.pid);
    expect(s.rss).to.be.greaterThan(MiB);
    expect(s.peakRss).to.be.at.least(s.rss);
    expect(s.cpuSeconds).to.be.greaterThan(0);
  });

  it('takes the CPU seconds of the first reading at or after a moment', () => {
    const samples = [sample(2, 4, 1, 1), sample(1, 2, 1, 1), sample(3, 7, 1, 1)];
    expect(cpuSecondsAt(samples, T0 + 1500)).to.equal(4);
    expect(cpuSecondsAt(samples, T0 + 1000)).to.equal(2);
    expect(cpuSecondsAt(samples, T0 + 9000)).to.equal(7);
    expect(cpuSecondsAt([], T0)).to.be.NaN;
  });

  it("counts the apiserver's CPU, status writes of any verb and event writes", () => {
    const metrics = [
      'process_cpu_seconds_total 42.5',
      'apiserver_request_total{code="200",resource="policyjobwatches",subresource="status",verb="PUT"} 10',
      'apiserver_request_total{code="200",resource="policyjobwatches",subresource="status",verb="APPLY"} 5',
      'apiserver_request_total{code="200",resource="policyjobwatches",subresource="status",verb="GET"} 99',
      'apiserver_request_total{code="200",resource="policyjobwatches",subresource="",verb="PUT"} 99',
      'apiserver_request_total{code="201",group="",resource="events",subresource="",verb="POST"} 7',
      'apiserver_request_total{code="200",group="events.k8s.io",resource="events",verb="PATCH"} 3',
      'apiserver_request_total{code="200",group="",resource="events",subresource="",verb="LIST"} 99',
    ].join('\n');
    expect(apiserverCounters(metrics)).to.deep.equal({
      cpuSeconds: 42.5,
      statusWrites: 15,
      eventsWritten: 10,
    });
  });
});

describe('bench --against-go: the Go baseline sources', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pjw-go-src-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds shared/baseline/go-controller-runtime in the nearest ancestor', async () => {
    const baseline = join(dir, 'shared', 'baseline', 'go-controller-runtime');
    await mkdir(baseline, { recursive: true });
    await writeFile(join(baseline, 'go.mod'), 'module x\n');
    await mkdir(join(dir, 'wt', 'lane'), { recursive: true });
    expect(findGoBaseline(join(dir, 'wt', 'lane'))).to.equal(baseline);
    expect(() => findGoBaseline('/', () => false)).to.throw('use --go-source');
  });
});

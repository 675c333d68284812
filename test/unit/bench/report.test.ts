import { expect } from 'chai';
import type { OperatorMetrics } from '../../../bench/lib/operator-metrics.js';
import {
  formatTable,
  reportL,
  reportS,
  reportSelector,
  type SMeasurements,
} from '../../../bench/lib/report.js';
import type { ScenarioS } from '../../../bench/lib/scenario.js';
import { parseBenchArgs, seconds } from '../../../bench/lib/settings.js';

const POLL = 10_000;
const EPOCH = 1_000_000;

function metrics(rss: number, over: Partial<OperatorMetrics> = {}): OperatorMetrics {
  return {
    rss,
    heap: rss / 4,
    heapTotal: rss / 2,
    external: 0,
    eventsDropped: 0,
    eventsQueued: 0,
    p99: { queueWait: 0.1, reconcile: 0.05, ucsCall: 0.025 },
    cpuSeconds: 2,
    reconciles: 1000,
    ...over,
  };
}

/** Two resources; job a named by both, job b by r2 only. */
const scenario: ScenarioS = {
  jobs: [
    { id: 'a', taskFinishMs: [5_000, 25_000], finishMs: 25_000, failed: false },
    { id: 'b', taskFinishMs: [15_000], finishMs: 15_000, failed: false },
  ],
  resources: new Map([
    ['r1', ['a']],
    ['r2', ['a', 'b']],
  ]),
  sharedJobs: 1,
};

/** A watch in which every resource showed its first status at EPOCH and each change 2 s late. */
function watch(lateMs: number): SMeasurements['watch'] {
  const jobs = new Map(scenario.jobs.map((j) => [j.id, j]));
  return {
    firstStatusAt: () => EPOCH,
    seenAt: (_resource, job, m) => {
      const finishes = jobs.get(job)?.taskFinishMs ?? [];
      // m counts finished tasks, +1 once the job is terminal (with its last task).
      const i = Math.min(m - 1, finishes.length - 1);
      const at = finishes[i];
      return at === undefined ? undefined : EPOCH + at + lateMs;
    },
    realChanges: 5,
    statusModified: 6,
  };
}

describe('bench: the figures from what the phases measured', () => {
  const idle = metrics(100 * 2 ** 20);

  it('S: calls against the expected count, calls after terminal, writes, lag', () => {
    // a: ceil(25 s / 10 s) + 1 = 4 expected; b: ceil(15 / 10) + 1 = 3.
    const report = reportS(
      scenario,
      {
        watch: watch(2_000),
        snapshots: [{ at: EPOCH + 40_000, jobs: { a: 4, b: 2 } }],
        finalCounts: { a: 4, b: 3 },
        epoch: EPOCH,
        writes: 5,
        metrics: metrics(120 * 2 ** 20),
      },
      idle,
      POLL,
    );
    const byId = new Map(report.figures.map((f) => [f.id, f]));
    expect(byId.get('1')?.value).to.equal(1);
    expect(byId.get('1')?.detail).to.equal('7 calls / 7 expected');
    // b was shown terminal at 17 s; the snapshot after it counts 2 of b's 3 calls.
    expect(byId.get('1b')?.value).to.equal(1);
    expect(byId.get('1b')?.pass).to.equal(false);
    expect(byId.get('2')?.value).to.equal(1);
    expect(byId.get('3a')?.value).to.be.closeTo(0.2, 1e-9);
    expect(byId.get('3b')?.pass).to.equal(true);
    expect(byId.get('5-S')?.value).to.equal(120);
    expect(byId.get('6-S')?.value).to.equal(2);
    expect(report.figures.map((f) => f.id)).to.deep.equal([
      '1',
      '1b',
      '2',
      '3a',
      '3b',
      '5-S',
      '5-S-heap',
      '6-S',
    ]);
    expect(report.details).to.include({ ucsCalls: 7, expectedCalls: 7, lagSamples: 5 });
  });

  it('S: a change never shown fails the lag figure', () => {
    const w = watch(1_000);
    const report = reportS(
      scenario,
      {
        watch: { ...w, seenAt: (r, j, m) => (j === 'b' ? undefined : w.seenAt(r, j, m)) },
        snapshots: [],
        finalCounts: { a: 4, b: 3 },
        epoch: EPOCH,
        writes: 5,
        metrics: metrics(120 * 2 ** 20),
      },
      idle,
      POLL,
    );
    const lag = report.figures.find((f) => f.id === '3b');
    expect(lag?.pass).to.equal(false);
    expect(report.details).to.include({ changesNeverShown: 1 });
  });

  it('L: time to status over the baseline, and the memory per resource above idle', () => {
    const report = reportL(
      {
        resources: 1000,
        seconds: 6,
        readyMs: 800,
        withStatus: 1000,
        metrics: metrics(100 * 2 ** 20 + 1000 * 2048),
        baselineSeconds: 3,
        concurrency: 16,
      },
      idle,
    );
    const [four, rss] = report.figures;
    expect(four?.value).to.equal(2);
    expect(four?.pass).to.equal(false);
    expect(four?.detail).to.include('/healthz after 0.8 s');
    expect(rss?.id).to.equal('5-L');
    expect(rss?.detail).to.equal('2.0 KiB/resource above idle');
    expect(report.figures.map((f) => f.id)).to.deep.equal(['4', '5-L', '5-L-heap', '6-L']);
  });

  it('selector: list calls per poll interval against one per interval plus the first', () => {
    const m = { resources: 200, kind: 'K', listCalls: 5, elapsedMs: 45_000, selected: 200 };
    // 45 s at a 10 s poll: one call at start and at most one per interval, 4 + 1 = 5.
    const [ok] = reportSelector(m, POLL).figures;
    expect(ok?.id).to.equal('7');
    expect(ok?.limit).to.equal('1 per kind');
    // The four calls after the first, over 4.5 intervals.
    expect(ok?.value).to.be.closeTo(4 / 4.5, 1e-9);
    expect(ok?.pass).to.equal(true);
    expect(ok?.detail).to.equal(
      '5 list calls in 45.0 s (at most 5 allowed); 200/200 resources selected a job',
    );
    expect(reportSelector({ ...m, listCalls: 6 }, POLL).figures[0]?.pass).to.equal(false);
    expect(reportSelector({ ...m, selected: 199 }, POLL).figures[0]?.pass).to.equal(false);
    expect(reportSelector(m, POLL).details).to.include({ listCalls: 5, allowedListCalls: 5 });
  });

  it('prints one row a figure under the settings and the machine', () => {
    const text = formatTable(
      [
        { id: '1', name: 'calls', value: 1.014, unit: '', limit: 'limit 1.00', pass: true },
        { id: '1b', name: 'after terminal', value: 3, unit: 'calls', pass: false },
      ],
      { scale: 0.1 },
      { nproc: 2 },
    );
    const lines = text.split('\n');
    expect(lines[1]).to.equal('settings: {"scale":0.1}');
    expect(lines[2]).to.equal('machine: {"nproc":2}');
    expect(lines[4]).to.match(/^\| # +\| figure +\| value +\| limit \/ target \| +\| detail \|$/);
    expect(lines[6]).to.match(/^\| 1 +\| calls +\| 1\.01 +\| limit 1\.00 +\| ok +\| +\|$/);
    expect(lines[7]).to.match(/\| 3 calls \|.*\| MISSED \|/);
  });
});

describe('bench: the command line', () => {
  it('resolves the defaults and the scaled resource counts', () => {
    expect(parseBenchArgs(['--scale', '0.1'])).to.deep.equal({
      scale: 0.1,
      concurrency: 16,
      createConcurrency: 32,
      windowMs: 120_000,
      pollMs: 10_000,
      sResources: 100,
      lResources: 1000,
      selectorResources: 20,
      profile: false,
      againstGo: false,
      goSource: undefined,
      nodeOptions: undefined,
    });
    expect(parseBenchArgs(['--against-go', '--go-source', '/x'])).to.include({
      againstGo: true,
      goSource: '/x',
    });
    expect(
      parseBenchArgs(['--node-options=--max-semi-space-size=2  --max-old-space-size=256'])
        ?.nodeOptions,
    ).to.deep.equal(['--max-semi-space-size=2', '--max-old-space-size=256']);
    expect(parseBenchArgs(['--help'])).to.equal(undefined);
    expect(() => parseBenchArgs(['--scale', '0'])).to.throw('--scale must be > 0');
    expect(() => parseBenchArgs(['--nope'])).to.throw();
  });

  it('reads durations', () => {
    expect(seconds('250ms')).to.equal(0.25);
    expect(seconds('10s')).to.equal(10);
    expect(seconds('2m')).to.equal(120);
    expect(() => seconds('10')).to.throw('not a duration');
  });
});

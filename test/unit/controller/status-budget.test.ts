import { expect } from 'chai';
import type { JobEntry, PolicyJobWatchStatus, TaskEntry } from '../../../src/api/index.js';
import { parsePolicyJobWatchStatus } from '../../../src/api/index.js';
import { KEEP_ORDER, taskBucket } from '../../../src/controller/map-job.js';
import {
  carriedTruncation,
  fitStatus,
  statusBytes,
} from '../../../src/controller/status-budget.js';

const task = (name: string, status: string, reasonLength: number): TaskEntry => ({
  name,
  status: { status, reason: 'r'.repeat(reasonLength) },
});

/** `jobs` jobs of `tasks` tasks (every 10th Failed, every 10th+1 Running, the rest Succeeded). */
function status(jobs: number, tasks: number, reasonLength: number): PolicyJobWatchStatus {
  const entries: JobEntry[] = Array.from({ length: jobs }, (_, j) => {
    const list = Array.from({ length: tasks }, (_, i) =>
      task(`t${i}`, i % 10 === 0 ? 'Failed' : i % 10 === 1 ? 'Running' : 'Succeeded', reasonLength),
    );
    return {
      jobID: `job-${j}`,
      phase: 'Failed',
      status: { status: 'Failed', reason: 'x'.repeat(reasonLength) },
      taskSummary: {
        total: tasks,
        failed: Math.ceil(tasks / 10),
        running: Math.ceil((tasks - 1) / 10),
        succeeded: tasks - Math.ceil(tasks / 10) - Math.ceil((tasks - 1) / 10),
        other: 0,
      },
      tasks: list,
    };
  });
  return {
    observedGeneration: 1,
    phase: 'Failed',
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'JobFailed',
        lastTransitionTime: '2026-01-01T00:00:00Z',
        message: 'm'.repeat(reasonLength),
      },
    ],
    jobs: entries,
  };
}

const statuses = (s: PolicyJobWatchStatus, job: number) =>
  (s.jobs?.[job]?.tasks ?? []).map((t) => t.status?.status);

describe('fitStatus', () => {
  const table: [string, PolicyJobWatchStatus, number, (fitted: PolicyJobWatchStatus) => void][] = [
    [
      'a status that fits is returned as it is',
      status(2, 5, 10),
      1_000_000,
      (fitted) => {
        expect(fitted).to.deep.equal(status(2, 5, 10));
      },
    ],
    [
      'sheds succeeded tasks first, from the job with the most left',
      status(10, 100, 3000),
      1_000_000,
      (fitted) => {
        expect(fitted.truncated?.tasksOmitted).to.be.greaterThan(0);
        expect(fitted.truncated?.reasonsCutTo).to.equal(undefined);
        for (let j = 0; j < 10; j++) {
          expect(statuses(fitted, j).filter((s) => s === 'Failed')).to.have.length(10);
          expect(statuses(fitted, j).filter((s) => s === 'Running')).to.have.length(10);
          expect(fitted.jobs?.[j]?.tasksTruncated).to.equal(true);
        }
        const kept = (fitted.jobs ?? []).map((j) => j.tasks?.length ?? 0);
        expect(Math.max(...kept) - Math.min(...kept), 'shed evenly').to.be.at.most(1);
      },
    ],
    [
      'then running, then failed tasks, then reasons are cut',
      status(100, 100, 3000),
      1_000_000,
      (fitted) => {
        expect(fitted.truncated?.reasonsCutTo).to.be.a('number');
        expect(fitted.jobs?.[0]?.status?.reason?.length).to.be.at.most(
          fitted.truncated?.reasonsCutTo ?? 0,
        );
      },
    ],
  ];
  for (const [name, input, budget, check] of table) {
    it(name, () => {
      const copy = structuredClone(input);
      const fitted = fitStatus(input, budget);
      expect(input, 'the input is not changed').to.deep.equal(copy);
      expect(statusBytes(fitted)).to.be.at.most(budget);
      expect(fitted.jobs?.map((j) => j.jobID)).to.deep.equal(input.jobs?.map((j) => j.jobID));
      expect(fitted.jobs?.map((j) => j.taskSummary)).to.deep.equal(
        input.jobs?.map((j) => j.taskSummary),
        'counts are kept',
      );
      expect(parsePolicyJobWatchStatus(fitted).ok, 'the schema accepts it').to.equal(true);
      check(fitted);
    });
  }

  it('keeps status.selectedJobIDs, whether the status fits or is cut', () => {
    for (const [jobs, tasks] of [
      [1, 1],
      [10, 100],
    ] as const) {
      const input = status(jobs, tasks, 3000);
      input.selectedJobIDs = (input.jobs ?? []).map((j) => j.jobID);
      const fitted = fitStatus(input, 1_000_000);
      expect(fitted.selectedJobIDs).to.deep.equal(input.selectedJobIDs);
    }
  });

  it('keeps a note carried from an earlier cut when the status fits, and adds its count when it cuts again', () => {
    const carried = { message: 'earlier', tasksOmitted: 7 };
    const small = { ...status(1, 1, 1), truncated: carried };
    expect(fitStatus(small)).to.equal(small);
    const cut = fitStatus({ ...status(10, 100, 3000), truncated: carried });
    const alone = fitStatus(status(10, 100, 3000));
    expect(cut.truncated?.tasksOmitted).to.equal((alone.truncated?.tasksOmitted ?? 0) + 7);
    expect(cut.truncated?.message).to.include(
      `${String(cut.truncated?.tasksOmitted)} task entries`,
    );
    expect(cut.jobs).to.deep.equal(alone.jobs);
  });

  it('sheds the same task entries as the straightforward one-scan-per-removal rule', () => {
    // Random statuses (seeded): uneven jobs, shuffled outcomes, reasons of varied length.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const outcomes = ['Succeeded', 'Failed', 'Running', 'Pending', 'TimedOut', 'Unknown'];
    for (let run = 0; run < 40; run++) {
      const input = status(1 + random(12), 1, 10);
      for (const job of input.jobs ?? []) {
        job.tasks = Array.from({ length: random(400) }, (_, i) =>
          task(`t${i}`, outcomes[random(outcomes.length)] ?? 'Unknown', 20 + random(400)),
        );
      }
      const maxBytes = 20_000 + random(200_000);
      const expected = referenceShed(input, maxBytes - 1024);
      const fitted = fitStatus(input, maxBytes);
      const names = (s: PolicyJobWatchStatus) =>
        (s.jobs ?? []).map((j) => (j.tasks ?? []).map((t) => t.name));
      expect(names(fitted), `run ${run}`).to.deep.equal(expected.names);
      expect(fitted.truncated?.tasksOmitted ?? 0, `run ${run}`).to.equal(expected.omitted);
    }
  });
});

/**
 * The rule fitStatus implements, written the obvious way (a scan of every job's tasks for each
 * removal): bucket by bucket (succeeded, other, running, failed), the last task of that bucket
 * from the job with the most tasks left, the later job on a tie, until the status fits `budget`.
 */
function referenceShed(
  input: PolicyJobWatchStatus,
  budget: number,
): { names: (string | undefined)[][]; omitted: number } {
  const lists = (input.jobs ?? []).map((j) => [...(j.tasks ?? [])]);
  let size = statusBytes(input);
  let omitted = 0;
  for (const bucket of [...KEEP_ORDER].reverse()) {
    while (size > budget) {
      let pick = -1;
      lists.forEach((list, i) => {
        if (!list.some((t) => taskBucket(t.status?.status) === bucket)) return;
        if (pick < 0 || list.length >= (lists[pick]?.length ?? 0)) pick = i;
      });
      if (pick < 0) break;
      const list = lists[pick] ?? [];
      const [gone] = list.splice(
        list.findLastIndex((t) => taskBucket(t.status?.status) === bucket),
        1,
      );
      size -= Buffer.byteLength(JSON.stringify(gone)) + (list.length > 0 ? 1 : 0);
      omitted += 1;
    }
  }
  return { names: lists.map((list) => list.map((t) => t.name)), omitted };
}

describe('carriedTruncation', () => {
  const cut = fitStatus(status(10, 100, 3000));
  const note = cut.truncated!;
  const keptJobs = cut.jobs ?? [];

  it('is the previous note itself while every entry it cut is kept', () => {
    expect(note.tasksOmitted).to.be.greaterThan(0);
    expect(carriedTruncation(cut, keptJobs, 100)).to.equal(note);
  });

  it('counts only the entries still kept, with a message that says so', () => {
    const carried = carriedTruncation(cut, keptJobs.slice(0, 3), 100);
    const short = keptJobs
      .slice(0, 3)
      .reduce((n, j) => n + (j.taskSummary?.total ?? 0) - (j.tasks?.length ?? 0), 0);
    expect(carried?.tasksOmitted).to.equal(short);
    expect(carried?.message).to.include(`${String(short)} task entries of jobs not fetched again`);
    expect(carried?.reasonsCutTo).to.equal(note.reasonsCutTo);
  });

  it('is undefined when nothing was cut before, nothing is kept, or no kept entry is short', () => {
    expect(carriedTruncation(status(2, 5, 10), status(2, 5, 10).jobs ?? [], 100)).to.equal(
      undefined,
    );
    expect(carriedTruncation(cut, [], 100)).to.equal(undefined);
    const whole = { ...cut, truncated: { message: 'm', tasksOmitted: 3 } };
    expect(carriedTruncation(whole, status(1, 5, 10).jobs ?? [], 100)).to.equal(undefined);
  });
});

import { expect } from 'chai';
import { compileJob, entryIndexAt, flipTimeline } from '../../../src/ucs-sim/job-timeline.js';
import { jobSchema, type JobInput } from '../../../src/ucs-sim/scenario-schema.js';

type Compact = string[];

/** Timelines as "offset:status[:reason]" strings, job first, then each task. */
function compile(input: JobInput): { job: Compact; tasks: Compact[] } {
  const compiled = compileJob(jobSchema.parse(input));
  if (compiled.kind !== 'modelled') throw new Error('expected a modelled job');
  const compact = (entries: typeof compiled.timeline): Compact =>
    entries.map((e) =>
      [String(e.atMs / 1000), e.status, ...(e.reason === undefined ? [] : [e.reason])].join(':'),
    );
  return { job: compact(compiled.timeline), tasks: compiled.tasks.map((t) => compact(t.timeline)) };
}

describe('ucs-sim: compiling scenario jobs into timelines', () => {
  const cases: { name: string; input: JobInput; job: Compact; tasks: Compact[] }[] = [
    {
      name: 'nothing given: Running for ever',
      input: { id: 'j' },
      job: ['0:Running'],
      tasks: [],
    },
    {
      name: 'job shorthand, tasks follow it',
      input: { id: 'j', startAt: '5s', finishAt: '30s', tasks: [{ target: 'a' }] },
      job: ['5:Running', '30:Succeeded'],
      tasks: [['5:Running', '30:Succeeded']],
    },
    {
      name: 'a status without finishAt ends at once',
      input: { id: 'j', status: 'Failed', reason: 'r' },
      job: ['0:Running', '0:Failed:r'],
      tasks: [],
    },
    {
      name: 'the job follows its tasks: last finish, failure named',
      input: {
        id: 'j',
        tasks: [
          { target: 'a', finishAt: '10s' },
          { target: 'b', startAt: '2s', finishAt: '20s', status: 'Failed', reason: 'x' },
        ],
      },
      job: ['0:Running', '20:Failed:task on cluster b failed: x'],
      tasks: [
        ['0:Running', '10:Succeeded'],
        ['2:Running', '20:Failed:x'],
      ],
    },
    {
      name: 'a task that never ends keeps the job running',
      input: { id: 'j', tasks: [{ target: 'a', finishAt: '10s' }, { target: 'b' }] },
      job: ['0:Running'],
      tasks: [['0:Running', '10:Succeeded'], ['0:Running']],
    },
    {
      name: 'tasks with their own end succeed even when the job times out',
      input: {
        id: 'j',
        finishAt: '60s',
        status: 'TimedOut',
        tasks: [{ target: 'a', finishAt: '10s' }, { target: 'b' }],
      },
      job: ['0:Running', '60:TimedOut'],
      tasks: [
        ['0:Running', '10:Succeeded'],
        ['0:Running', '60:TimedOut'],
      ],
    },
    {
      name: 'serial tasks share the job in equal slots',
      input: {
        id: 'j',
        runway: 'serial',
        startAt: '3s',
        finishAt: '9s',
        tasks: [{ target: 'a' }, { target: 'b' }],
      },
      job: ['3:Running', '9:Succeeded'],
      tasks: [
        ['3:Running', '6:Succeeded'],
        ['6:Running', '9:Succeeded'],
      ],
    },
    {
      name: 'an explicit timeline is sorted and copied to tasks without their own',
      input: {
        id: 'j',
        timeline: [
          { at: '9s', status: 'Succeeded' },
          { at: 0, status: 'Running' },
        ],
        tasks: [{ target: 'a' }, { target: 'b', timeline: [{ at: '1s', status: 'Pending' }] }],
      },
      job: ['0:Running', '9:Succeeded'],
      tasks: [['0:Running', '9:Succeeded'], ['1:Pending']],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      expect(compile(c.input)).to.deep.equal({ job: c.job, tasks: c.tasks });
    });
  }

  it('finds the entry in force and flips from a point on', () => {
    const timeline = [
      { atMs: 0, status: 'Running' },
      { atMs: 10, status: 'Succeeded' },
    ];
    expect([-1, 0, 9, 10, 99].map((t) => entryIndexAt(timeline, t))).to.deep.equal([
      -1, 0, 0, 1, 1,
    ]);
    flipTimeline(timeline, 5, 'Failed', 'stop');
    expect(timeline).to.deep.equal([
      { atMs: 0, status: 'Running' },
      { atMs: 5, status: 'Failed', reason: 'stop' },
    ]);
  });

  it('gives tasks and names stable ids, so that runs compare', () => {
    const a = compileJob(jobSchema.parse({ id: 'j', tasks: [{ target: 'c' }] }));
    const b = compileJob(jobSchema.parse({ id: 'j', tasks: [{ target: 'c' }] }));
    expect(a).to.deep.equal(b);
    if (a.kind !== 'modelled') throw new Error('expected a modelled job');
    expect(a.tasks[0]?.uid).to.match(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

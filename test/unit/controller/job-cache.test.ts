import { expect } from 'chai';
import type { Freshness } from '../../../src/controller/fresh-answers.js';
import { JobCache, type JobClientFactory } from '../../../src/controller/job-cache.js';
import type { GetJobResult, UcsCredentials, UnchangedJob } from '../../../src/ucs/index.js';

const token: UcsCredentials = { kind: 'token', token: 't' };
const running = (tasks: number): GetJobResult => ({
  ok: true,
  digest: `running-${tasks}`,
  job: {
    status: { status: 'Running' },
    spec: { taskList: Array.from({ length: tasks }, () => ({})) },
  },
});

/**
 * A UCS stand-in that answers from a table and counts calls per job. Like UcsClient, it answers
 * UnchangedJob when asked with the digest of the answer it has.
 */
class Answers implements JobClientFactory {
  readonly answers = new Map<string, GetJobResult>();
  readonly calls: string[] = [];
  /** The digest each call was made with. */
  readonly digests: (string | undefined)[] = [];
  client(): ReturnType<JobClientFactory['client']> {
    return {
      getJob: (jobID, digest) => {
        this.calls.push(jobID);
        this.digests.push(digest);
        const answer: GetJobResult = this.answers.get(jobID) ?? {
          ok: false,
          error: { reason: 'Unavailable', message: 'down', retryable: true },
        };
        const unchanged: UnchangedJob | undefined =
          answer.ok && answer.digest === digest
            ? { ok: true, unchanged: true, digest: answer.digest }
            : undefined;
        return Promise.resolve(unchanged ?? answer);
      },
    };
  }
}

/** Freshness for resource r: its own and others' answers alike. */
const mine = (ms: number): Freshness => ({ requester: 'ns/r', ownMs: ms, othersMs: ms });

describe('JobCache', () => {
  let now = 0;
  let changed: string[] = [];
  const cache = (answers: Answers): JobCache =>
    new JobCache(
      answers,
      60_000,
      () => now,
      (id) => changed.push(id),
    );
  beforeEach(() => {
    now = 1_000_000;
    changed = [];
  });

  it('reuses an answer younger than the caller’s maximum age, and shares one request in flight', async () => {
    const answers = new Answers();
    answers.answers.set('a', running(1));
    const jobs = cache(answers);
    const [first, second] = await Promise.all([
      jobs.get('https://ucs', token, 'a', mine(8000)),
      jobs.get('https://ucs', token, 'a', mine(8000)),
    ]);
    expect(first).to.deep.equal(second);
    now += 7999;
    await jobs.get('https://ucs', token, 'a', mine(8000));
    expect(answers.calls).to.deep.equal(['a']);
    now += 1;
    await jobs.get('https://ucs', token, 'a', mine(8000));
    expect(answers.calls).to.deep.equal(['a', 'a']);
  });

  it('reuses another resource’s answer for longer than its own', async () => {
    const answers = new Answers();
    answers.answers.set('a', running(1));
    const jobs = cache(answers);
    const poll = (requester: string): Freshness => ({ requester, ownMs: 8000, othersMs: 10_000 });
    await jobs.get('https://ucs', token, 'a', poll('ns/first'));
    now += 9000;
    await jobs.get('https://ucs', token, 'a', poll('ns/second'));
    expect(answers.calls, 'the second resource reused the first one’s answer').to.have.length(1);
    await jobs.get('https://ucs', token, 'a', poll('ns/first'));
    expect(answers.calls, 'its own answer, 9 s old, is due again').to.have.length(2);
    now += 9999;
    await jobs.get('https://ucs', token, 'a', poll('ns/second'));
    expect(answers.calls).to.have.length(2);
    now += 1;
    await jobs.get('https://ucs', token, 'a', poll('ns/second'));
    expect(answers.calls).to.have.length(3);
  });

  it('keeps answers for other credentials apart', async () => {
    const answers = new Answers();
    answers.answers.set('a', running(1));
    const jobs = cache(answers);
    await jobs.get('https://ucs', token, 'a', mine(8000));
    await jobs.get('https://ucs', { kind: 'token', token: 'other' }, 'a', mine(8000));
    expect(answers.calls).to.deep.equal(['a', 'a']);
  });

  it('tells onChanged when a request brings new data for the job, and only then', async () => {
    const answers = new Answers();
    const jobs = cache(answers);
    answers.answers.set('a', running(1));
    await jobs.get('https://ucs', token, 'a', mine(0));
    expect(changed, 'the first answer is news').to.deep.equal(['a']);
    await jobs.get('https://ucs', token, 'a', mine(0));
    expect(changed, 'the same data again is not').to.deep.equal(['a']);
    await jobs.get('https://ucs', token, 'a', mine(8000));
    expect(changed, 'nor a cache hit').to.deep.equal(['a']);
    answers.answers.set('a', running(2));
    await jobs.get('https://ucs', token, 'a', mine(0));
    expect(changed).to.deep.equal(['a', 'a']);
    answers.answers.delete('a');
    const failed = await jobs.get('https://ucs', token, 'a', mine(0));
    expect(failed.ok).to.equal(false);
    expect(changed, 'a failed request brings no data').to.deep.equal(['a', 'a']);
  });

  it('keeps the mapped job, not the raw answer: unknown fields and deep nests cannot reach it', async () => {
    const answers = new Answers();
    let nest: unknown = 'bottom';
    for (let i = 0; i < 20_000; i++) nest = [nest];
    const raw = (extra: string): GetJobResult => ({
      ok: true,
      digest: extra,
      job: {
        status: { status: 'Running', reason: 'r'.repeat(100_000) },
        spec: { extendParam: { nest }, taskList: [{ status: { status: 'Failed' } }] },
        extra: `${extra}${'x'.repeat(1_000_000)}`,
        deepUnknown: nest,
      },
    });
    answers.answers.set('a', raw('one'));
    const jobs = new JobCache(
      answers,
      60_000,
      () => now,
      (id) => changed.push(id),
      10,
    );
    const first = await jobs.get('https://ucs', token, 'a', mine(0));
    answers.answers.set('a', raw('two'));
    const second = await jobs.get('https://ucs', token, 'a', mine(0));
    expect(changed, 'only unknown fields changed: no news').to.deep.equal(['a']);
    if (!first.ok || !second.ok) throw new Error('expected answers');
    const text = JSON.stringify(second.job);
    expect(text).to.not.include('xxxx');
    expect(text.length, 'bounded').to.be.lessThan(40_000);
    expect(second.job.fields.extendParam).to.not.equal(undefined);
    expect(second.job.taskSummary.failed).to.equal(1);
  });

  it('asks with the digest of the job it keeps, and keeps that very entry when UCS sends the same body', async () => {
    const answers = new Answers();
    const jobs = cache(answers);
    answers.answers.set('a', running(1));
    const first = await jobs.get('https://ucs', token, 'a', mine(0));
    const again = await jobs.get('https://ucs', token, 'a', mine(0));
    expect(answers.digests, 'the first call has nothing to compare with').to.deep.equal([
      undefined,
      'running-1',
    ]);
    expect(again, 'the kept entry, not a copy').to.equal(first);
    expect(changed).to.deep.equal(['a']);
    answers.answers.set('a', running(2));
    const changedAnswer = await jobs.get('https://ucs', token, 'a', mine(0));
    if (!changedAnswer.ok) throw new Error('expected an answer');
    expect(changedAnswer.digest).to.equal('running-2');
    expect(changedAnswer.job.taskSummary.total).to.equal(2);
    expect(changed).to.deep.equal(['a', 'a']);
    answers.answers.delete('a');
    const failed = await jobs.get('https://ucs', token, 'a', mine(0));
    expect(failed.ok).to.equal(false);
    answers.answers.set('a', running(2));
    await jobs.get('https://ucs', token, 'a', mine(0));
    expect(answers.digests.at(-1), 'after a failure there is no digest to offer').to.equal(
      undefined,
    );
  });

  it('drops entries older than its retention', async () => {
    const answers = new Answers();
    answers.answers.set('a', running(1));
    answers.answers.set('b', running(1));
    const jobs = cache(answers);
    await jobs.get('https://ucs', token, 'a', mine(0));
    now += 60_000;
    await jobs.get('https://ucs', token, 'b', mine(0));
    expect(jobs.size).to.equal(1);
  });
});

import { expect } from 'chai';
import type { PolicyJobWatch } from '../../src/api/index.js';
import type { UcsSimulator } from '../../src/ucs-sim/index.js';
import { sleep } from '../../harness/eventually.js';
import type { OperatorProcess } from '../../harness/operator-process.js';
import { condition } from '../support/policyjobwatch-client.js';
import { FaultEnv } from './support/fault-env.js';

const NS = 'fault-ucs';
const TOKEN = 'fault-ucs-token-6b1e02';
const POLL_S = 5;
// The fault windows, in seconds from the moment they are set.
const ERRORS = { from: 0, for: 30 };
const THROTTLE = { from: 30, for: 24, retryAfter: 12 };
// Long enough for a first fetch even after an honoured Retry-After from the 429 window.
const HANG = { from: 54, for: 20 };
const MALFORMED = { from: 74, for: 12 };
const RECOVERED_AT = 86;
const JOBS = ['ucs-fault-a', 'ucs-fault-b'];

/** The job entry keeps the last good data and says why the last fetch failed. */
function expectRetrying(obj: PolicyJobWatch, reason: string, message?: RegExp): void {
  const ready = condition(obj, 'Ready');
  expect(ready?.status, 'Ready').to.equal('False');
  expect(ready?.reason, 'Ready.reason').to.equal('FetchRetrying');
  expect(condition(obj, 'Reconciling')?.reason).to.equal('FetchRetrying');
  const job = obj.status?.jobs?.[0];
  expect(job?.lastError?.reason, 'lastError.reason').to.equal(reason);
  if (message) expect(job?.lastError?.message).to.match(message);
  expect(job?.phase, 'the last good phase stays').to.equal('Running');
  expect(job?.name, 'the last good data stays').to.be.a('string');
  expect(job?.taskSummary?.total, 'the last good tasks stay').to.equal(2);
}

describe('faults: UCS answers 500, then 429, then hangs, then garbles, then recovers', function () {
  this.timeout(240_000);
  let env: FaultEnv;
  let sim: UcsSimulator;
  let operator: OperatorProcess | undefined;

  before(async function () {
    this.timeout(180_000);
    env = await FaultEnv.start(NS, TOKEN);
    sim = env.sim;
    for (const id of JOBS)
      sim.setJob({
        id,
        tasks: [{ target: 'c1' }, { target: 'c2' }],
        timeline: [{ at: '0s', status: 'Running' }],
      });
    operator = await env.startOperator({
      'poll-interval': `${String(POLL_S)}s`,
      'ucs-timeout': '2s',
    });
  });

  after(async () => {
    await env.stop();
  });

  it('keeps the last good data, says FetchRetrying, honours Retry-After and converges', async () => {
    for (const id of JOBS) await env.create(id, { jobIDs: [id] });
    for (const id of JOBS)
      await env.waitFor(id, (o) => {
        expect(o.status?.jobs?.[0]?.phase).to.equal('Running');
        expect(o.status?.jobs?.[0]?.taskSummary?.total).to.equal(2);
      });

    const t0 = Date.now();
    const at = (s: number): Promise<void> => sleep(Math.max(0, t0 + s * 1000 - Date.now()));
    const window = (w: { from: number; for: number }) => ({
      from: `${String(w.from)}s`,
      for: `${String(w.for)}s`,
    });
    sim.setFault({ errorRate: 1, ...window(ERRORS) });
    sim.setFault({
      throttleRate: 1,
      retryAfter: `${String(THROTTLE.retryAfter)}s`,
      ...window(THROTTLE),
    });
    sim.setFault({ hangRate: 1, ...window(HANG) });
    sim.setFault({ malformedRate: 1, ...window(MALFORMED) });

    // 500s: Unavailable with the status code.
    await at(ERRORS.from + 12);
    for (const id of JOBS) {
      const obj = await env.get(id);
      expectRetrying(obj, 'Unavailable');
      expect(obj.status?.jobs?.[0]?.lastError?.httpStatus).to.equal(500);
    }

    // 429 with Retry-After: at most window / Retry-After + 1 calls per job in the window.
    await at(THROTTLE.from + 0.2);
    const before = JOBS.map((id) => sim.requestCount(id));
    await at(THROTTLE.from + THROTTLE.for - 0.2);
    const calls = JOBS.map((id, i) => sim.requestCount(id) - (before[i] ?? 0));
    for (const id of JOBS) expectRetrying(await env.get(id), 'Throttled');
    const limit = Math.floor(THROTTLE.for / THROTTLE.retryAfter) + 1;
    process.stdout.write(
      `      calls per job in the 429 window: ${calls.join(', ')} (limit ${String(limit)})\n`,
    );
    // Checked at the end, so that a violation does not hide what the later faults do.
    const retryAfterProblem = calls.every((n) => n <= limit)
      ? undefined
      : `calls per job during the ${String(THROTTLE.for)} s 429 window (Retry-After ${String(THROTTLE.retryAfter)} s): ${calls.join(', ')}; at most ${String(limit)} allowed`;

    // Hanging: the client gives up after --ucs-timeout.
    await at(HANG.from + 17);
    for (const id of JOBS)
      expectRetrying(await env.get(id), 'Unavailable', /did not answer within 2000 ms/);

    // Malformed JSON.
    await at(MALFORMED.from + 10);
    for (const id of JOBS) expectRetrying(await env.get(id), 'InvalidResponse', /not JSON/);

    // Recovery, and a real change after it.
    await at(RECOVERED_AT);
    for (const id of JOBS)
      sim.setJobStatus(id, {
        status: 'Succeeded',
        tasks: { c1: { status: 'Succeeded' }, c2: { status: 'Succeeded' } },
      });
    for (const id of JOBS) {
      const done = await env.waitFor(
        id,
        (o) => {
          expect(condition(o, 'Ready')?.reason).to.equal('JobsSucceeded');
        },
        3 * POLL_S * 1000,
      );
      expect(done.status?.jobs?.[0]?.lastError).to.equal(undefined);
      expect(done.status?.jobs?.[0]?.taskSummary?.succeeded).to.equal(2);
    }
    expect(operator?.running, 'the operator never crashed').to.equal(true);
    if (retryAfterProblem !== undefined)
      expect.fail(`Retry-After not honoured: ${retryAfterProblem}`);
  });

  it('never logs the token, though it logged the failed fetches', () => {
    // The scan reads the error paths: the failures were logged, with the status they made.
    expect(env.logged('fetch failed; backing off')).to.not.have.length(0);
    expect(env.logged('status updated').map((r) => r.ready)).to.include('FetchRetrying');
    expect(env.leaks()).to.deep.equal([]);
  });
});

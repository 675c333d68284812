import { expect } from 'chai';
import winston from 'winston';
import Transport from 'winston-transport';
import type { PolicyJobWatch, PolicyJobWatchStatus } from '../../../src/api/index.js';
import { StatusTooLargeError, type CredentialsLookup } from '../../../src/controller/ports.js';
import type { Freshness } from '../../../src/controller/fresh-answers.js';
import { mapJob } from '../../../src/controller/map-job.js';
import { Reconciler, type ReconcileDeps } from '../../../src/controller/reconciler.js';
import type { ListAnswer } from '../../../src/controller/job-list-cache.js';
import type { SelectableJob } from '../../../src/controller/job-selector.js';
import {
  newestFirst,
  sortableTime,
  type GetJobResult,
  type UcsCredentials,
} from '../../../src/ucs/index.js';

const log = winston.createLogger({ silent: true });

/** In-memory doors: the reconcile logic without an apiserver (integration tests cover those). */
class FakeWorld {
  resource: PolicyJobWatch | undefined;
  jobs = new Map<string, GetJobResult>();
  credentials: CredentialsLookup = { ok: true, credentials: { kind: 'token', token: 't' } };
  calls: { endpoint: string; jobID: string; freshness: Freshness }[] = [];
  sentCredentials: UcsCredentials[] = [];
  writes: PolicyJobWatchStatus[] = [];
  events: string[] = [];
  eventMessages: string[] = [];
  list: ListAnswer = { ok: true, items: [] };
  listCalls: { kind: string; freshness: Freshness }[] = [];
  random = 0.5;
  clock = Date.parse('2026-01-01T00:00:00Z');
  /** How far each UCS call moves the clock. */
  callMs = 0;

  deps(): ReconcileDeps {
    return {
      getResource: () => this.resource,
      getCredentials: () => Promise.resolve(this.credentials),
      getJob: (endpoint, credentials, jobID, freshness) => {
        this.calls.push({ endpoint, jobID, freshness });
        this.sentCredentials.push(credentials);
        this.clock += this.callMs;
        const answer = this.jobs.get(jobID) ?? { ok: false, error: notFound };
        return Promise.resolve(answer.ok ? { ok: true, job: mapJob(answer.job) } : answer);
      },
      listJobs: (_endpoint, _credentials, kind, freshness) => {
        this.listCalls.push({ kind, freshness });
        return Promise.resolve(this.list);
      },
      writeStatus: (_ns, _name, status) => {
        this.writes.push(status);
        if (this.resource) this.resource = { ...this.resource, status };
        return Promise.resolve(String(this.writes.length));
      },
      recordEvent: (_t, e) => {
        this.events.push(e.reason);
        this.eventMessages.push(e.message);
      },
      now: () => new Date(this.clock),
      random: () => this.random,
    };
  }

  create(
    spec: Record<string, unknown>,
    generation = 1,
    annotations: Record<string, string> = {},
  ): void {
    this.resource = {
      apiVersion: 'ucs.policyjobwatch.io/v1alpha1',
      kind: 'PolicyJobWatch',
      metadata: { name: 'w', namespace: 'ns', generation, annotations, uid: 'u1' },
      spec: spec,
      ...(this.resource?.status ? { status: this.resource.status } : {}),
    };
  }
}

const notFound = {
  reason: 'JobNotFound' as const,
  message: 'No requested resources found.',
  retryable: false,
  httpStatus: 404,
};
const ok = (status: string): GetJobResult => ({
  ok: true,
  digest: status,
  job: { status: { status } },
});

const settings = {
  endpointPolicy: {
    defaultEndpoint: 'https://ucs.myhuaweicloud.com',
    allowedEndpoints: ['https://ucs.myhuaweicloud.com'],
  },
  iamEndpointPolicy: {
    defaultIamEndpoint: 'https://iam.myhuaweicloud.com',
    allowedIamEndpoints: ['https://iam.myhuaweicloud.com', 'https://iam.example'],
  },
  defaultCredentials: { namespace: 'ops', name: 'creds' },
  defaultPollIntervalMs: 30_000,
  maxTasksPerJob: 100,
};

function reconciler(world: FakeWorld): Reconciler {
  return new Reconciler(world.deps(), settings);
}

describe('Reconciler', () => {
  it('polls running jobs at the poll interval (±10% jitter), reusing its own answers younger than 80% of it and others’ younger than all of it', async () => {
    const world = new FakeWorld();
    world.jobs.set('a', ok('Running'));
    world.create({ jobIDs: ['a'], pollInterval: '10s' });
    const r = reconciler(world);
    world.random = 1;
    expect(await r.reconcile('ns', 'w', log)).to.deep.equal({
      kind: 'requeueAfter',
      delayMs: 11_000,
    });
    expect(world.calls[0]).to.deep.equal({
      endpoint: 'https://ucs.myhuaweicloud.com',
      jobID: 'a',
      freshness: { requester: 'ns/w', ownMs: 0, othersMs: 8_000 },
    });
    world.random = 0;
    expect(await r.reconcile('ns', 'w', log)).to.deep.equal({
      kind: 'requeueAfter',
      delayMs: 9_000,
    });
    expect(world.calls[1]?.freshness).to.deep.equal({
      requester: 'ns/w',
      ownMs: 8_000,
      othersMs: 10_000,
    });
    expect(world.writes, 'nothing changed: one write only').to.have.length(1);
    expect(world.events).to.deep.equal(['JobRunning']);
  });

  it('logs "status updated" at info when the phase or the Ready reason changes, at debug when only progress moves', async () => {
    const job = (statuses: string[], status = 'Running'): GetJobResult => ({
      ok: true,
      digest: statuses.join(),
      job: {
        status: { status },
        spec: {
          taskList: statuses.map((s, i) => ({
            metadata: { name: `t${i}` },
            status: { status: s },
          })),
        },
      },
    });
    const lines: { level: string; phase?: string }[] = [];
    const capture = (level: 'info' | 'debug'): winston.Logger =>
      winston.createLogger({
        level,
        transports: [
          new winston.transports.Console({ silent: true }),
          new (class extends Transport {
            override log(info: Record<string, unknown>, next: () => void): void {
              if (info['message'] === 'status updated')
                lines.push({ level: String(info['level']), phase: info['phase'] as string });
              next();
            }
          })(),
        ],
      });
    /** Reconciles once per answer, a minute apart; the number of status writes. */
    const play = async (level: 'info' | 'debug', answers: GetJobResult[]): Promise<number> => {
      const world = new FakeWorld();
      world.create({ jobIDs: ['a'] });
      const r = reconciler(world);
      for (const answer of answers) {
        world.jobs.set('a', answer);
        await r.reconcile('ns', 'w', capture(level));
        world.clock += 60_000;
      }
      return world.writes.length;
    };
    const started = job(['Running', 'Running']);
    const oneDone = job(['Success', 'Running']);
    expect(
      await play('info', [started, oneDone, job(['Success', 'Success'], 'Succeeded')]),
    ).to.equal(3);
    expect(lines.map((l) => `${l.level} ${String(l.phase)}`)).to.deep.equal([
      'info Running',
      'info Succeeded',
    ]);
    // The progress-only write is logged at debug level.
    lines.length = 0;
    expect(await play('debug', [started, oneDone]), 'a task moved: written').to.equal(2);
    expect(lines.map((l) => `${l.level} ${String(l.phase)}`)).to.deep.equal([
      'info Running',
      'debug Running',
    ]);
  });

  it('counts the poll interval from the start of the reconcile, not from its end', async () => {
    const world = new FakeWorld();
    world.jobs.set('a', ok('Running'));
    world.create({ jobIDs: ['a'], pollInterval: '10s' });
    world.callMs = 3000;
    const r = reconciler(world);
    expect(await r.reconcile('ns', 'w', log)).to.deep.equal({
      kind: 'requeueAfter',
      delayMs: 7_000,
    });
    world.callMs = 60_000;
    expect(
      await r.reconcile('ns', 'w', log),
      'a reconcile longer than the interval still waits 10% of it',
    ).to.deep.equal({ kind: 'requeueAfter', delayMs: 1_000 });
  });

  it('takes every answer from the cache on a turn queued by news, whatever its age', async () => {
    const world = new FakeWorld();
    world.jobs.set('a', ok('Running'));
    world.create({ jobIDs: ['a'], pollInterval: '10s' });
    const r = reconciler(world);
    await r.reconcile('ns', 'w', log);
    await r.reconcile('ns', 'w', log, 'news');
    expect(world.calls[1]?.freshness).to.deep.equal({
      requester: 'ns/w',
      ownMs: Infinity,
      othersMs: Infinity,
    });
    world.create({ jobIDs: ['a'] }, 2);
    await r.reconcile('ns', 'w', log, 'news');
    expect(world.calls[2]?.freshness, 'a changed spec is fetched anew').to.include({ ownMs: 0 });
  });

  it('never fetches finished jobs again, until the spec or requested-at changes', async () => {
    const world = new FakeWorld();
    world.jobs.set('a', ok('Succeeded'));
    world.create({ jobIDs: ['a'] });
    const r = reconciler(world);
    expect(await r.reconcile('ns', 'w', log)).to.deep.equal({ kind: 'done' });
    expect(await r.reconcile('ns', 'w', log)).to.deep.equal({ kind: 'done' });
    expect(world.calls).to.have.length(1);
    world.create({ jobIDs: ['a'] }, 1, { 'ucs.policyjobwatch.io/requested-at': 'r1' });
    await r.reconcile('ns', 'w', log);
    expect(world.calls).to.have.length(2);
    expect(world.calls[1]?.freshness, 'a request bypasses the shared cache').to.include({
      ownMs: 0,
      othersMs: 0,
    });
    expect(world.writes.at(-1)?.lastHandledRequestedAt).to.equal('r1');
    await r.reconcile('ns', 'w', log);
    expect(world.calls).to.have.length(2);
    world.create({ jobIDs: ['a'] }, 2, { 'ucs.policyjobwatch.io/requested-at': 'r1' });
    await r.reconcile('ns', 'w', log);
    expect(world.calls).to.have.length(3);
    expect(world.writes.at(-1)?.observedGeneration).to.equal(2);
  });

  it('backs off on retryable errors, at least for the Retry-After', async () => {
    const world = new FakeWorld();
    world.jobs.set('a', {
      ok: false,
      error: {
        reason: 'Throttled',
        message: 'slow down',
        retryable: true,
        httpStatus: 429,
        retryAfterSeconds: 7,
      },
    });
    world.create({ jobIDs: ['a'] });
    expect(await reconciler(world).reconcile('ns', 'w', log)).to.deep.equal({
      kind: 'backoff',
      minDelayMs: 7_000,
    });
    expect(world.events).to.deep.equal(['FetchFailed']);
    world.jobs.set('a', {
      ok: false,
      error: { reason: 'Throttled', message: 'later', retryable: true, retryAfterSeconds: 120 },
    });
    expect(
      await reconciler(world).reconcile('ns', 'w', log),
      'honoured also past the poll interval',
    ).to.deep.equal({ kind: 'backoff', minDelayMs: 120_000 });
  });

  it('checks stalled fetches again at the poll interval (a Secret may appear)', async () => {
    const world = new FakeWorld();
    world.credentials = {
      ok: false,
      error: {
        reason: 'CredentialsNotFound',
        message: 'Secret ops/creds not found',
        retryable: false,
      },
    };
    world.create({ jobIDs: ['a', 'b'] });
    world.random = 0.5;
    expect(await reconciler(world).reconcile('ns', 'w', log)).to.deep.equal({
      kind: 'requeueAfter',
      delayMs: 30_000,
    });
    expect(world.calls, 'no UCS call without credentials').to.have.length(0);
    expect(world.writes[0]?.jobs?.map((j) => j.lastError?.reason)).to.deep.equal([
      'CredentialsNotFound',
      'CredentialsNotFound',
    ]);
  });

  it('never sends the default credentials to another endpoint', async () => {
    const world = new FakeWorld();
    world.create({ jobIDs: ['a'], endpoint: 'https://ucs-intl.myhuaweicloud.com' });
    await reconciler(world).reconcile('ns', 'w', log);
    expect(world.calls).to.have.length(0);
    expect(world.writes[0]?.conditions?.find((c) => c.type === 'Stalled')?.reason).to.equal(
      'EndpointNotAllowed',
    );
  });

  it("applies the IAM endpoint policy to the Secret's iamEndpoint before anything is sent", async () => {
    const world = new FakeWorld();
    world.jobs.set('a', ok('Running'));
    world.create({ jobIDs: ['a'] });
    const password = { kind: 'password', username: 'u', password: 'p', domainName: 'd' } as const;
    const aksk = { kind: 'aksk', accessKey: 'AK', secretKey: 'SK' } as const;
    const r = reconciler(world);
    const cases: [UcsCredentials, string | undefined][] = [
      [password, 'https://iam.myhuaweicloud.com'],
      [aksk, 'https://iam.myhuaweicloud.com'],
      [{ ...aksk, iamEndpoint: 'https://IAM.example/' }, 'https://iam.example'],
      [{ ...password, iamEndpoint: 'https://iam.attacker.example' }, undefined],
      [{ ...aksk, iamEndpoint: 'http://iam.example' }, undefined],
    ];
    for (const [credentials, expected] of cases) {
      world.credentials = { ok: true, credentials };
      world.sentCredentials = [];
      world.create({ jobIDs: ['a'], pollInterval: '10s' }, world.writes.length + 1);
      await r.reconcile('ns', 'w', log);
      const sent = world.sentCredentials[0];
      if (expected === undefined) {
        expect(sent, 'nothing is fetched').to.equal(undefined);
        const stalled = world.resource?.status?.conditions?.find((c) => c.type === 'Stalled');
        expect(stalled?.reason).to.equal('CredentialsInvalid');
        expect(stalled?.message).to.match(/^job a: .*Secret ops\/creds: iamEndpoint[: ]/);
      } else {
        expect(sent && 'iamEndpoint' in sent ? sent.iamEndpoint : undefined).to.equal(expected);
      }
    }
  });

  it('stops polling when suspended', async () => {
    const world = new FakeWorld();
    world.create({ jobIDs: ['a'], suspend: true });
    expect(await reconciler(world).reconcile('ns', 'w', log)).to.deep.equal({ kind: 'done' });
    expect(world.calls).to.have.length(0);
    expect(world.writes[0]?.conditions?.[0]?.reason).to.equal('Suspended');
  });

  it('turns a spec that slipped past the CRD into SpecInvalid, and does nothing else', async () => {
    const world = new FakeWorld();
    world.create({ jobIDs: ['../etc'] });
    expect(await reconciler(world).reconcile('ns', 'w', log)).to.deep.equal({ kind: 'done' });
    expect(world.calls).to.have.length(0);
    expect(
      world.writes[0]?.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`),
    ).to.deep.equal(['Ready=False/SpecInvalid', 'Stalled=True/SpecInvalid']);
  });

  it('keeps the lastTransitionTime of SpecInvalid: a later reconcile writes nothing', async () => {
    const world = new FakeWorld();
    world.create({ jobIDs: ['../etc'] });
    const r = reconciler(world);
    await r.reconcile('ns', 'w', log);
    world.clock += 60_000;
    await r.reconcile('ns', 'w', log);
    expect(world.writes, 'no rewrite per reconcile').to.have.length(1);
  });

  it('writes a minimal status saying StatusTooLarge when the apiserver refuses the size, and backs off with a smaller budget', async () => {
    const world = new FakeWorld();
    const tasks = Array.from({ length: 100 }, (_, i) => ({
      metadata: { name: `t${i}` },
      status: { status: 'Failed', reason: 'r'.repeat(3000) },
    }));
    world.jobs.set('a', {
      ok: true,
      digest: 'tasks',
      job: { status: { status: 'Running' }, spec: { taskList: tasks } },
    });
    world.create({ jobIDs: ['a'] });
    const deps = world.deps();
    const refused: number[] = [];
    const limit = 100_000;
    const writeStatus = world.deps().writeStatus.bind(world);
    deps.writeStatus = (ns, name, status) => {
      const bytes = Buffer.byteLength(JSON.stringify(status));
      if (bytes > limit) {
        refused.push(bytes);
        return Promise.reject(new StatusTooLargeError('etcdserver: request is too large'));
      }
      return writeStatus(ns, name, status);
    };
    const r = new Reconciler(deps, { ...settings, maxStatusBytes: 400_000 });
    expect(await r.reconcile('ns', 'w', log)).to.deep.equal({ kind: 'backoff', minDelayMs: 0 });
    expect(refused).to.have.length(1);
    const minimal = world.writes.at(-1);
    expect(minimal?.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`)).to.deep.equal([
      'Ready=False/StatusTooLarge',
      'Reconciling=True/StatusTooLarge',
    ]);
    expect(minimal?.conditions?.[0]?.message).to.include('etcdserver: request is too large');
    expect(minimal?.jobs?.[0]?.taskSummary?.failed).to.equal(100);
    // The next attempt halves the budget (200,000 bytes), then again, until it is written.
    let action = await r.reconcile('ns', 'w', log);
    for (let i = 0; i < 5 && action.kind === 'backoff'; i++)
      action = await r.reconcile('ns', 'w', log);
    expect(action.kind).to.equal('requeueAfter');
    const written = world.writes.at(-1);
    expect(Buffer.byteLength(JSON.stringify(written))).to.be.at.most(limit);
    expect(written?.truncated?.tasksOmitted).to.be.greaterThan(0);
    expect(written?.jobs?.[0]?.taskSummary?.failed).to.equal(100);
    expect(written?.conditions?.[0]?.reason).to.equal('JobsRunning');
  });

  it('forgets a deleted resource: nothing is fetched or written, and a resource created again under its name starts afresh', async () => {
    const world = new FakeWorld();
    world.jobs.set('a', ok('Running'));
    world.create({ jobIDs: ['a'] });
    const r = reconciler(world);
    await r.reconcile('ns', 'w', log);
    expect(world.writes).to.have.length(1);
    expect(world.events).to.deep.equal(['JobRunning']);

    world.resource = undefined;
    expect(await r.reconcile('ns', 'w', log)).to.deep.equal({ kind: 'done' });
    expect(world.calls, 'no UCS call for a deleted resource').to.have.length(1);
    expect(world.writes, 'no status write for a deleted resource').to.have.length(1);

    // The same name again, no status yet (the informer has not delivered the old write): the
    // status this operator wrote for the deleted resource is not taken for its own.
    world.create({ jobIDs: ['a'] });
    await r.reconcile('ns', 'w', log);
    expect(world.writes, 'a first status for the new resource').to.have.length(2);
    expect(world.events, 'and its own first event').to.deep.equal(['JobRunning', 'JobRunning']);
  });

  it('forgets a resource being deleted (deletionTimestamp set): nothing is fetched or written', async () => {
    const world = new FakeWorld();
    world.jobs.set('a', ok('Running'));
    world.create({ jobIDs: ['a'] });
    const r = reconciler(world);
    await r.reconcile('ns', 'w', log);
    world.resource!.metadata.deletionTimestamp = new Date(world.clock);
    world.jobs.set('a', ok('Succeeded'));
    expect(await r.reconcile('ns', 'w', log)).to.deep.equal({ kind: 'done' });
    expect(world.calls).to.have.length(1);
    expect(world.writes).to.have.length(1);
    const echo = structuredClone(world.resource!);
    echo.metadata.resourceVersion = '1';
    expect(r.isOwnWrite('ns/w', echo), 'the write it made is forgotten').to.equal(false);
  });

  it('keeps one copy of a status: the echo of its own write takes the written object', async () => {
    const world = new FakeWorld();
    world.jobs.set('a', ok('Running'));
    world.create({ jobIDs: ['a'] });
    const r = reconciler(world);
    await r.reconcile('ns', 'w', log);
    const written = world.writes[0]!;
    // What the informer delivers: the stored object, parsed anew, at the written version.
    const echo: PolicyJobWatch = JSON.parse(JSON.stringify(world.resource)) as PolicyJobWatch;
    echo.metadata.resourceVersion = '1';
    expect(echo.status).not.to.equal(written);
    expect(r.isOwnWrite('ns/w', echo)).to.equal(true);
    expect(echo.status, 'the parsed copy is replaced by the written object').to.equal(written);

    // An echo whose status differs (another manager's field) keeps what the apiserver sent.
    world.jobs.set('a', ok('Succeeded'));
    await r.reconcile('ns', 'w', log);
    const changed: PolicyJobWatch = JSON.parse(JSON.stringify(world.resource)) as PolicyJobWatch;
    changed.metadata.resourceVersion = '2';
    changed.status = { ...changed.status, observedGeneration: 99 };
    const sent = changed.status;
    expect(r.isOwnWrite('ns/w', changed)).to.equal(true);
    expect(changed.status).to.equal(sent);
    expect(changed.status.observedGeneration).to.equal(99);
  });
});

/** A job of the list as the list cache keeps it (complete: status and task list, mapped). */
function listed(id: string, created: string, status: string, withTasks = true): SelectableJob {
  const createdAt = sortableTime(created);
  const item: SelectableJob = {
    id,
    ...(createdAt === undefined ? {} : { createdAt }),
    type: 'UpdateConstraint',
    extendParam: { constraintID: 'c1' },
  };
  if (withTasks) item.job = mapJob({ spec: { taskList: [] }, status: { status } });
  return item;
}

const listOf = (...items: SelectableJob[]): ListAnswer => ({
  ok: true,
  items: [...items].sort(newestFirst),
});

describe('Reconciler with spec.jobSelector', () => {
  const selector = {
    kind: 'UpdateConstraint',
    matchExtendParam: { constraintID: 'c1' },
    newest: 1,
  };
  const reasons = (status: PolicyJobWatchStatus | undefined) =>
    status?.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`);
  const last = (world: FakeWorld) => world.writes.at(-1);

  it('says NoJobSelected while nothing matches, and lists again at the poll interval', async () => {
    const world = new FakeWorld();
    world.create({ jobSelector: selector });
    world.list = listOf({
      ...listed('other', '2026-01-01T00:00:00Z', 'Running'),
      extendParam: { constraintID: 'c2' },
    });
    const action = await reconciler(world).reconcile('ns', 'w', log);
    expect(world.listCalls.map((c) => c.kind)).to.deep.equal(['UpdateConstraint']);
    const status = last(world);
    expect(status?.phase).to.equal('Pending');
    expect(status?.selectedJobIDs).to.deep.equal([]);
    expect(status?.jobs).to.deep.equal([]);
    expect(reasons(status)).to.deep.equal([
      'Ready=False/NoJobSelected',
      'Reconciling=True/NoJobSelected',
    ]);
    expect(status?.conditions?.[0]?.message).to.contain('kind UpdateConstraint');
    expect(action).to.deep.equal({ kind: 'requeueAfter', delayMs: 30_000 });
  });

  it('mirrors the newest matching job from the list answer itself (no GET), and follows a newer one with an event', async () => {
    const world = new FakeWorld();
    world.create({ jobSelector: selector });
    world.list = listOf(
      listed('old', '2026-01-01T00:00:00Z', 'Failed'),
      listed('a', '2026-01-01T01:00:00Z', 'Succeeded'),
    );
    const r = reconciler(world);
    // A finished job is not the end: a newer one may match.
    expect(await r.reconcile('ns', 'w', log)).to.deep.equal({
      kind: 'requeueAfter',
      delayMs: 30_000,
    });
    expect(world.calls).to.deep.equal([]);
    expect(last(world)?.selectedJobIDs).to.deep.equal(['a']);
    expect(last(world)?.jobs?.map((j) => `${j.jobID}:${j.phase}`)).to.deep.equal(['a:Succeeded']);
    expect(reasons(last(world))).to.deep.equal(['Ready=True/JobsSucceeded']);
    expect(world.events).to.deep.equal(['JobSelected', 'JobSucceeded']);

    world.list = listOf(
      listed('a', '2026-01-01T01:00:00Z', 'Succeeded'),
      listed('b', '2026-01-01T02:00:00Z', 'Running'),
    );
    await r.reconcile('ns', 'w', log);
    expect(last(world)?.selectedJobIDs).to.deep.equal(['b']);
    expect(last(world)?.jobs?.map((j) => `${j.jobID}:${j.phase}`)).to.deep.equal(['b:Running']);
    expect(reasons(last(world))?.[0]).to.equal('Ready=False/JobsRunning');
    expect(world.events.slice(2)).to.deep.equal(['JobSelected', 'JobRunning']);
    expect(world.eventMessages[2]).to.equal(
      'spec.jobSelector selected job b; no longer watching a',
    );
  });

  it('keeps the newest N, and reads by ID only a job whose list item lacks its tasks', async () => {
    const world = new FakeWorld();
    world.create({ jobSelector: { ...selector, newest: 2 } });
    world.list = listOf(
      listed('a', '2026-01-01T00:00:00Z', 'Succeeded'),
      listed('b', '2026-01-01T01:00:00Z', 'Running', false),
      listed('c', '2026-01-01T02:00:00Z', 'Running'),
    );
    world.jobs.set('b', ok('Running'));
    await reconciler(world).reconcile('ns', 'w', log);
    expect(world.calls.map((c) => c.jobID)).to.deep.equal(['b']);
    expect(last(world)?.selectedJobIDs).to.deep.equal(['c', 'b']);
    expect(last(world)?.summary?.total).to.equal(2);
  });

  for (const [what, error, condition, action] of [
    [
      'a 5xx',
      { reason: 'Unavailable', message: 'HTTP 503', retryable: true, httpStatus: 503 },
      'Reconciling=True/FetchRetrying',
      { kind: 'backoff', minDelayMs: 0 },
    ],
    [
      'a 429',
      { reason: 'Throttled', message: 'HTTP 429', retryable: true, retryAfterSeconds: 7 },
      'Reconciling=True/FetchRetrying',
      { kind: 'backoff', minDelayMs: 7000 },
    ],
    [
      'a malformed list',
      { reason: 'InvalidResponse', message: 'not a list', retryable: true },
      'Reconciling=True/FetchRetrying',
      { kind: 'backoff', minDelayMs: 0 },
    ],
    [
      'a 401',
      { reason: 'Unauthorized', message: 'HTTP 401', retryable: false, httpStatus: 401 },
      'Stalled=True/Unauthorized',
      { kind: 'requeueAfter', delayMs: 30_000 },
    ],
  ] as const) {
    it(`keeps the last good selection and status when the list answers ${what}`, async () => {
      const world = new FakeWorld();
      world.create({ jobSelector: selector });
      world.list = listOf(listed('a', '2026-01-01T00:00:00Z', 'Running'));
      const r = reconciler(world);
      await r.reconcile('ns', 'w', log);
      const good = last(world);
      world.list = { ok: false, error };
      expect(await r.reconcile('ns', 'w', log)).to.deep.equal(action);
      const status = last(world);
      expect(status?.selectedJobIDs).to.deep.equal(['a']);
      expect(status?.jobs?.[0]?.phase).to.equal(good?.jobs?.[0]?.phase);
      expect(status?.jobs?.[0]?.status).to.deep.equal(good?.jobs?.[0]?.status);
      expect(status?.jobs?.[0]?.lastError?.reason).to.equal(error.reason);
      expect(reasons(status)?.[1]).to.equal(condition);
    });
  }

  it('before any selection, a list error is the condition (not NoJobSelected)', async () => {
    const world = new FakeWorld();
    world.create({ jobSelector: selector });
    world.list = {
      ok: false,
      error: { reason: 'Forbidden', message: 'HTTP 403', retryable: false },
    };
    await reconciler(world).reconcile('ns', 'w', log);
    expect(reasons(last(world))).to.deep.equal(['Ready=False/Forbidden', 'Stalled=True/Forbidden']);
    expect(last(world)?.selectedJobIDs).to.deep.equal([]);
  });

  it('suspended: neither lists nor changes the selection', async () => {
    const world = new FakeWorld();
    world.create({ jobSelector: selector, suspend: true });
    expect(await reconciler(world).reconcile('ns', 'w', log)).to.deep.equal({ kind: 'done' });
    expect(world.listCalls).to.deep.equal([]);
    expect(reasons(last(world))).to.deep.equal(['Ready=False/Suspended']);
  });
});

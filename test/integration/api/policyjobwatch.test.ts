import { expect } from 'chai';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import {
  API_VERSION,
  CRD_NAME,
  GROUP,
  KIND,
  parsePolicyJobWatchSpec,
  PLURAL,
  VERSION,
  type Condition,
  type PolicyJobWatch,
  type PolicyJobWatchStatus,
} from '../../../src/api/index.js';
import { adminKubeConfig, kubectl } from '../../support/control-plane.js';
import { installCrd } from '../../../harness/crd.js';
import { seedStatus, SEED_JOB_ENTRY } from '../../fixtures/seed-status.js';
import { SPEC_CASES } from '../../unit/api/spec-cases.js';
import { eventually, sleep } from '../../../harness/eventually.js';

const NAMESPACE = 'api-policyjobwatch';
const FIELD_MANAGER = 'policyjobwatch-test';
const base = { group: GROUP, version: VERSION, namespace: NAMESPACE, plural: PLURAL };

/** The message of the API server's Status, or the error itself. */
function apiError(err: unknown): { code?: number; message: string } {
  if (!(err instanceof ApiException)) return { message: String(err) };
  const body: unknown = err.body;
  try {
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: string };
    return { code: err.code, message: status.message ?? String(body) };
  } catch {
    return { code: err.code, message: String(body) };
  }
}

function resource(name: string, spec: unknown): object {
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace: NAMESPACE }, spec };
}

function condition(type: string, status: Condition['status'], reason: string, message: string) {
  return { type, status, reason, message, lastTransitionTime: '2025-11-10T07:25:00Z' };
}

describe('api: PolicyJobWatch on a real kube-apiserver', () => {
  let kc: KubeConfig;
  let objects: CustomObjectsApi;

  const create = (name: string, spec: unknown) =>
    objects.createNamespacedCustomObject({ ...base, body: resource(name, spec) });

  const get = async (name: string) =>
    (await objects.getNamespacedCustomObject({ ...base, name })) as PolicyJobWatch;

  /** Server-side apply of a status under a field manager, as the operator writes it. */
  const applyStatus = (name: string, status: unknown, fieldManager = FIELD_MANAGER) =>
    objects.patchNamespacedCustomObjectStatus(
      {
        ...base,
        name,
        fieldManager,
        force: true,
        body: { apiVersion: API_VERSION, kind: KIND, metadata: { name }, status },
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );

  const refusal = async (write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (err) {
      return apiError(err);
    }
    throw new Error('the API server accepted it');
  };

  before(async () => {
    kc = adminKubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    await installCrd(kc);
    try {
      await kc
        .makeApiClient(CoreV1Api)
        .createNamespace({ body: { metadata: { name: NAMESPACE } } });
    } catch (err) {
      if (apiError(err).code !== 409) throw err;
    }
  });

  it('installs idempotently: installCrd again changes nothing', async () => {
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    const before = await ext.readCustomResourceDefinition({ name: CRD_NAME });
    await installCrd(kc);
    await installCrd(kc);
    const after = await ext.readCustomResourceDefinition({ name: CRD_NAME });
    expect(after.metadata?.generation).to.equal(before.metadata?.generation);
    expect(after.metadata?.resourceVersion).to.equal(before.metadata?.resourceVersion);
  });

  describe('the spec: the API server and parsePolicyJobWatchSpec agree', () => {
    SPEC_CASES.forEach(({ name, spec, invalid }, index) => {
      it(`${invalid ? 'refuses' : 'accepts'} ${name}`, async () => {
        const write = () =>
          objects.createNamespacedCustomObject({
            ...base,
            body: resource(`spec-case-${index}`, spec),
            dryRun: 'All',
          });
        expect(parsePolicyJobWatchSpec(spec).ok).to.equal(invalid === undefined);
        if (!invalid) {
          const stored = (await write()) as PolicyJobWatch;
          expect(stored.spec).to.deep.equal(spec);
          return;
        }
        const error = await refusal(write);
        expect(error.code).to.equal(422);
        expect(error.message).to.include(invalid.server);
      });
    });

    it('refuses an object without a spec', async () => {
      const error = await refusal(() =>
        objects.createNamespacedCustomObject({
          ...base,
          body: { apiVersion: API_VERSION, kind: KIND, metadata: { name: 'no-spec' } },
        }),
      );
      expect(error.message).to.include('spec: Required value');
    });

    it('kubectl apply -f - names the field and says what is wrong', async () => {
      const manifest = (pollInterval: string) =>
        [
          `apiVersion: ${API_VERSION}`,
          `kind: ${KIND}`,
          'metadata:',
          '  name: from-kubectl',
          `  namespace: ${NAMESPACE}`,
          'spec:',
          '  jobIDs: [c7678551-1f7e-4699-9ea1-3baa2d32f552]',
          `  pollInterval: ${pollInterval}`,
          '',
        ].join('\n');
      const bad = await kubectl(['apply', '-f', '-'], { input: manifest('1s') });
      expect(bad.code).to.not.equal(0);
      expect(bad.stderr).to.include(
        'spec.pollInterval: Invalid value: "1s": spec.pollInterval must be between 5s and 1h',
      );
      const good = await kubectl(['apply', '-f', '-'], { input: manifest('1m30s') });
      expect(good.code).to.equal(0, good.stderr);
      expect(good.stdout).to.include('policyjobwatch.ucs.policyjobwatch.io/from-kubectl created');
      const stored = await get('from-kubectl');
      expect(stored.spec.pollInterval).to.equal('1m30s');
    });
  });

  describe('the status subresource', () => {
    before(async () => {
      await create('seed', {
        jobIDs: ['c7678551-1f7e-4699-9ea1-3baa2d32f552', 'a1b2c3d4-0000-4000-8000-000000000002'],
      });
    });

    it('takes the full status built from the seed example, and gives it back unchanged', async () => {
      const generation = (await get('seed')).metadata.generation ?? 0;
      await applyStatus('seed', seedStatus(generation));
      const stored = await get('seed');
      expect(stored.status).to.deep.equal(seedStatus(generation));
    });

    it('ignores status in writes to the main resource, and spec in writes to status', async () => {
      await objects.patchNamespacedCustomObject(
        { ...base, name: 'seed', body: { status: { phase: 'Failed' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await objects.patchNamespacedCustomObjectStatus(
        { ...base, name: 'seed', body: { spec: { suspend: true } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const stored = await get('seed');
      expect(stored.status?.phase).to.equal('Running');
      expect(stored.spec.suspend).to.equal(undefined);
    });

    it('refuses a status with 1001 tasks', async () => {
      const tasks = Array.from({ length: 1001 }, (_, i) => ({ name: `t${i}` }));
      const error = await refusal(() =>
        applyStatus('seed', { jobs: [{ ...SEED_JOB_ENTRY, tasks }] }),
      );
      expect(error.code).to.equal(422);
      expect(error.message).to.include(
        'status.jobs[0].tasks: Too many: 1001: must have at most 1000 items',
      );
    });

    it('refuses what the zod schema refuses: bad phase, timestamp, reason, long key', async () => {
      const cases: [PolicyJobWatchStatus, string][] = [
        [
          { jobs: [{ jobID: 'x', phase: 'TimedOut' as never }] },
          'status.jobs[0].phase: Unsupported value: "TimedOut"',
        ],
        [
          {
            jobs: [
              { jobID: 'x', phase: 'Running', updateTimestamp: '2025-11-10 07:24:08 +0000 UTC' },
            ],
          },
          'status.jobs[0].updateTimestamp: Invalid value: "2025-11-10 07:24:08 +0000 UTC"',
        ],
        [
          { conditions: [condition('Ready', 'True', 'all done', '')] },
          'status.conditions[0].reason: Invalid value: "all done": conditions[0].reason in body should match',
        ],
        [
          { jobs: [{ jobID: 'x', phase: 'Running', relatedObjects: { ['k'.repeat(254)]: 'v' } }] },
          'status.jobs[0].relatedObjects: Invalid value: keys must be at most 253 characters',
        ],
        [
          { jobs: [{ jobID: 'x', phase: 'Running', message: 'x'.repeat(32769) }] },
          'status.jobs[0].message: Too long: may not be more than 32768 bytes',
        ],
      ];
      for (const [status, message] of cases) {
        const error = await refusal(() => applyStatus('seed', status));
        expect(error.message, error.message).to.include(message);
      }
    });

    it('merges conditions by type (list map): each writer keeps its own', async () => {
      await create('conditions', { jobIDs: ['a'] });
      await applyStatus('conditions', {
        conditions: [condition('Ready', 'False', 'Pending', 'waiting')],
      });
      await applyStatus(
        'conditions',
        { conditions: [condition('Stalled', 'True', 'JobNotFound', 'gone')] },
        'another-writer',
      );
      await applyStatus('conditions', {
        conditions: [condition('Ready', 'True', 'JobsSucceeded', 'done')],
      });
      const stored = await get('conditions');
      const summary = (stored.status?.conditions ?? []).map(
        (c) => `${c.type}=${c.status}/${c.reason}`,
      );
      expect(summary).to.have.members(['Ready=True/JobsSucceeded', 'Stalled=True/JobNotFound']);

      const error = await refusal(() =>
        objects.patchNamespacedCustomObjectStatus(
          {
            ...base,
            name: 'conditions',
            body: {
              status: {
                conditions: [
                  condition('Ready', 'True', 'JobsSucceeded', 'done'),
                  condition('Ready', 'False', 'Pending', 'again'),
                ],
              },
            },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      );
      expect(error.message).to.include('status.conditions[1]: Duplicate value: {"type":"Ready"}');
    });
  });

  describe('kubectl', () => {
    before(async () => {
      await create('shown', { jobIDs: ['a', 'b'] });
      await applyStatus('shown', {
        phase: 'Running',
        progress: '1/2',
        conditions: [condition('Ready', 'False', 'JobsRunning', '1/2 jobs succeeded; running: b')],
      });
    });

    it('get pjw shows NAME PHASE JOBS READY REASON AGE', async () => {
      const table = await eventually(async () => {
        const res = await kubectl(['get', 'pjw', 'shown', '-n', NAMESPACE]);
        if (res.code !== 0) throw new Error(res.stderr);
        return res.stdout;
      });
      const [header, row] = table.trimEnd().split('\n');
      expect(header?.split(/\s+/)).to.deep.equal([
        'NAME',
        'PHASE',
        'JOBS',
        'READY',
        'REASON',
        'AGE',
      ]);
      expect(row?.split(/\s+/).slice(0, 5)).to.deep.equal([
        'shown',
        'Running',
        '1/2',
        'False',
        'JobsRunning',
      ]);
      expect(row).to.match(/\s\d+s$/);
    });

    it('get pjw -o wide adds MESSAGE', async () => {
      const res = await kubectl(['get', 'pjw', 'shown', '-n', NAMESPACE, '-o', 'wide']);
      expect(res.code).to.equal(0, res.stderr);
      const [header, row] = res.stdout.trimEnd().split('\n');
      expect(header?.split(/\s+/)).to.deep.equal([
        'NAME',
        'PHASE',
        'JOBS',
        'READY',
        'REASON',
        'AGE',
        'MESSAGE',
      ]);
      expect(row).to.match(/\s1\/2 jobs succeeded; running: b$/);
    });

    it('get ucs lists it (category)', async () => {
      const res = await kubectl(['get', 'ucs', '-n', NAMESPACE, '-o', 'name']);
      expect(res.code).to.equal(0, res.stderr);
      expect(res.stdout).to.include('policyjobwatch.ucs.policyjobwatch.io/shown');
    });

    it('explain pjw.spec and pjw.status.jobs.tasks print the descriptions', async () => {
      const explain = (field: string) =>
        eventually(async () => {
          const res = await kubectl(['explain', field]);
          if (res.code !== 0) throw new Error(res.stderr);
          // kubectl wraps descriptions at 80 columns.
          return res.stdout.replace(/[ \t]*\n[ \t]*/g, ' ');
        });
      const spec = await explain('pjw.spec');
      expect(spec).to.include('Which UCS policy jobs to watch (by ID or by selector), and how.');
      expect(spec).to.match(/jobIDs\s+<\[\]string>\s/);
      expect(spec).to.match(/jobSelector\s+<Object>\s/);
      expect(spec).to.include('Exactly one of jobIDs and jobSelector.');
      expect(spec).to.include('The UCS policy jobs to watch');
      expect(spec).to.include('https only; http is accepted for loopback');
      expect(spec).to.include('How often each unfinished job is polled');

      const selector = await explain('pjw.spec.jobSelector');
      expect(selector).to.include('Which UCS job list to read: GET /v1/policy/jobs?kind=KIND');
      expect(selector).to.include('UCS documents only its own default, EnablePolicy');
      expect(selector).to.include('How many of the matching jobs to watch, newest first');

      const tasks = await explain('pjw.status.jobs.tasks');
      expect(tasks).to.include('The tasks of the job (UCS spec.taskList)');
      expect(tasks).to.match(/runway\s+<string>/);
      expect(tasks).to.include('Execution mode: parallel or serial');
      expect(tasks).to.include('The UCSTaskStatus of the task');
    });

    it('wait --for=condition=Ready returns 0 once Ready is True', async () => {
      const early = await kubectl([
        'wait',
        '--for=condition=Ready',
        `pjw/shown`,
        '-n',
        NAMESPACE,
        '--timeout=1s',
      ]);
      expect(early.code).to.not.equal(0);

      const waiting = kubectl([
        'wait',
        '--for=condition=Ready',
        'pjw/shown',
        '-n',
        NAMESPACE,
        '--timeout=20s',
      ]);
      await sleep(500);
      await applyStatus('shown', {
        phase: 'Succeeded',
        progress: '2/2',
        conditions: [condition('Ready', 'True', 'JobsSucceeded', 'all 2 jobs succeeded')],
      });
      const done = await waiting;
      expect(done.code).to.equal(0, done.stderr);
      expect(done.stdout).to.include('policyjobwatch.ucs.policyjobwatch.io/shown condition met');

      const again = await kubectl([
        'wait',
        '--for=condition=Ready',
        'pjw/shown',
        '-n',
        NAMESPACE,
        '--timeout=5s',
      ]);
      expect(again.code).to.equal(0, again.stderr);
    });
  });
});

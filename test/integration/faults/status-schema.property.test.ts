import { createServer, type Server } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import fc from 'fast-check';
import {
  ApiException,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from '../../../src/api/index.js';
import { computeStatus } from '../../../src/controller/compute-status.js';
import { mapJob } from '../../../src/controller/map-job.js';
import { fitStatus } from '../../../src/controller/status-budget.js';
import { FIELD_MANAGER } from '../../../src/kube/status-writer.js';
import { parseJob, UcsTransport } from '../../../src/ucs/index.js';
import { seedJobJson } from '../../fixtures/seed-status.js';
import { adminKubeConfig } from '../../support/control-plane.js';
import { installCrd } from '../../support/crd.js';

const NS = 'fault-property';
const JOB_ID = 'prop-job';
const RUNS = 200;
const SEED_JOB = seedJobJson();

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every path to a value inside the document (not the root itself). */
function paths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...paths(child, [...prefix, key])]);
}

function parentOf(
  doc: unknown,
  path: Path,
): { parent: Record<string | number, unknown>; key: string | number } | undefined {
  let node = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') return undefined;
    node = next as Record<string | number, unknown>;
  }
  const key = path.at(-1);
  return key === undefined ? undefined : { parent: node, key };
}

const TIMESTAMP_KEYS = new Set(['creationTimestamp', 'updateTimestamp', 'startTime', 'finishTime']);

const oddTimestamp = fc.oneof(
  fc.constantFrom<Json>(
    '',
    ' ',
    '0001-01-01 00:00:00 +0000 UTC',
    '9999-12-31T23:59:59.999999999+14:00',
    '2025-13-45T99:99:99Z',
    '1970-01-01T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '2025-11-10 07:24:03.529155 +0000 UTC m=+0.000000001',
    '2025-11-10T15:24:03.540316+08:00 trailing',
    '2025-11-10T07:24:03Z\u0000',
    'Mon Jan  2 15:04:05 MST 2006',
    '1731222243',
    '2025-11-10T07:24:03.1234567890123456789Z',
    1731222243,
    1e300,
    -1,
  ),
  fc.string({ maxLength: 40 }),
  fc
    .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
    .map((d) => d.toISOString()),
);

const unicode = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom('\uD800', 'a\uDC00b', '\u202Eevil', 'ｆｕｌｌ', '👩‍👩‍👧‍👦'.repeat(50), '\u0000\u0001'),
);

const huge = fc
  .tuple(fc.constantFrom('x', 'é', '字', '😀', '"\\'), fc.integer({ min: 1_000, max: 150_000 }))
  .map(([unit, n]) => unit.repeat(n));

/**
 * Nests up to 1,500 levels deep (fast-check overflows on deeper generated values); the
 * 20,000-level example below takes a deeper one through every later step of the reconcile.
 */
const deep = fc.tuple(fc.integer({ min: 30, max: 1_500 }), fc.boolean()).map(([depth, arrays]) => {
  let value: Json = 'bottom';
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { d: value };
  return value;
});

/** Wide values: many keys or many elements. */
const wide = fc
  .tuple(fc.integer({ min: 65, max: 20_000 }), fc.boolean())
  .map(([n, arrays]): Json =>
    arrays
      ? Array.from({ length: n }, (_, i) => i)
      : Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${String(i)}`, i])),
  );

const mutation = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('delete', 'wrongType', 'huge', 'timestamp', 'unicode'),
  value: fc.oneof(fc.jsonValue() as fc.Arbitrary<Json>, unicode, huge, oddTimestamp, deep, wide),
  timestamp: oddTimestamp,
  text: unicode,
  big: huge,
});

function manyTasks(doc: Record<string, unknown>, n: number, statuses: readonly string[]): void {
  const spec = doc.spec as { taskList?: unknown[] } | undefined;
  const task = (spec?.taskList?.[0] ?? {}) as Record<string, unknown>;
  if (spec === undefined || typeof spec !== 'object') return;
  spec.taskList = Array.from({ length: n }, (_, i) => {
    const copy = structuredClone(task);
    const md = copy.metadata as Record<string, unknown> | undefined;
    if (md && typeof md === 'object') md.name = `cluster-${String(i)}`;
    const st = copy.status as Record<string, unknown> | undefined;
    if (st && typeof st === 'object') st.status = statuses[i % statuses.length];
    return copy;
  });
}

/** A seed job with 1-4 mutations (and maybe 2,000 tasks). */
const mutatedSeed = fc
  .record({
    mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
    tasks: fc.option(
      fc.record({
        n: fc.constantFrom(2_000, 1_001, 101),
        statuses: fc.subarray(['Succeeded', 'Failed', 'Running', 'TimedOut', 'Unknown', ''], {
          minLength: 1,
        }),
      }),
      { freq: 4 },
    ),
  })
  .map(({ mutations, tasks }) => {
    const doc = structuredClone(SEED_JOB);
    if (tasks) manyTasks(doc, tasks.n, tasks.statuses);
    for (const m of mutations) {
      const all = paths(doc);
      const pool =
        m.kind === 'timestamp' ? all.filter((p) => TIMESTAMP_KEYS.has(String(p.at(-1)))) : all;
      const path = pool[m.at % Math.max(1, pool.length)];
      if (path === undefined) continue;
      const where = parentOf(doc, path);
      if (!where) continue;
      const { parent, key } = where;
      if (m.kind === 'delete') {
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else Reflect.deleteProperty(parent, key);
      } else {
        parent[key] =
          m.kind === 'timestamp'
            ? m.timestamp
            : m.kind === 'unicode'
              ? m.text
              : m.kind === 'huge'
                ? m.big
                : m.value;
      }
    }
    return JSON.stringify(doc);
  });

function seedWith(
  edit: (doc: { metadata: Record<string, unknown>; status: Record<string, unknown> }) => void,
): string {
  const doc = structuredClone(SEED_JOB) as {
    metadata: Record<string, unknown>;
    status: Record<string, unknown>;
  };
  edit(doc);
  return JSON.stringify(doc);
}

/** Always tried first: strings whose cut-off (at 1,024 or 256 UTF-16 units) splits an emoji, and a lone surrogate. */
const EXAMPLES: [string][] = [
  // 20,000 levels: built as text, since JSON.stringify itself throws on it (JSON.parse does not).
  [
    seedWith((d) => {
      (d as unknown as { spec: { extendParam: Json } }).spec.extendParam = { nest: '__NEST__' };
    }).replace('"__NEST__"', `${'{"d":'.repeat(20_000)}"bottom"${'}'.repeat(20_000)}`),
  ],
  [seedWith((d) => (d.metadata.name = '😀'.repeat(600)))],
  [seedWith((d) => (d.metadata.creationTimestamp = `a${'😀'.repeat(200)}`))],
  [seedWith((d) => (d.status.reason = 'bad \uD800 surrogate'))],
];

/** Bodies an API might send: arbitrary JSON, odd objects with the job's keys, mutated seeds. */
const body = fc.oneof(
  { arbitrary: fc.json(), weight: 1 },
  {
    arbitrary: fc
      .dictionary(
        fc.constantFrom('kind', 'apiVersion', 'metadata', 'spec', 'status', 'extra'),
        fc.jsonValue(),
      )
      .map((o) => JSON.stringify(o)),
    weight: 1,
  },
  { arbitrary: mutatedSeed, weight: 6 },
);

describe('faults (property): any UCS answer gives a status the real CRD accepts, or InvalidResponse', function () {
  this.timeout(120_000);
  let server: Server;
  let current = '{}';
  let url = '';
  const objects = (): CustomObjectsApi => adminKubeConfig().makeApiClient(CustomObjectsApi);

  before(async () => {
    const kc = adminKubeConfig();
    await installCrd(kc);
    await kc
      .makeApiClient((await import('@kubernetes/client-node')).CoreV1Api)
      .createNamespace({ body: { metadata: { name: NS } } })
      .catch(() => undefined);
    await objects().createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: PLURAL,
      body: {
        apiVersion: API_VERSION,
        kind: KIND,
        metadata: { name: 'prop' },
        spec: { jobIDs: [JOB_ID] },
      },
    });
    server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(current);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await adminKubeConfig()
      .makeApiClient((await import('@kubernetes/client-node')).CoreV1Api)
      .deleteNamespace({ name: NS })
      .catch(() => undefined);
  });

  it(`holds for ${String(RUNS)} generated answers`, async () => {
    const api = objects();
    const client = new UcsTransport({ qps: 0, maxConcurrent: 2, timeoutMs: 10_000 }).client(url, {
      kind: 'token',
      token: 'property-token',
    });
    const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
    const stats = { invalid: 0, stored: 0, jobErrors: 0 };
    const run = await fc.check(
      fc.asyncProperty(body, async (text) => {
        current = text;
        const result = await client.getJob(JOB_ID);
        // The client and parseJob agree; a refusal is always InvalidResponse.
        expect(result.ok, 'client vs parseJob').to.equal(parseJob(text).ok);
        if (!result.ok) {
          expect(result.error.reason).to.equal('InvalidResponse');
          stats.invalid += 1;
          return;
        }
        const status = fitStatus(
          computeStatus({
            generation: 1,
            jobIDs: [JOB_ID],
            suspend: false,
            previous: undefined,
            observations: new Map([[JOB_ID, { kind: 'fetched', job: mapJob(result.job) }]]),
            now: new Date(),
            maxTasksPerJob: 100,
          }),
        );
        // What the write path does next must not throw either.
        expect(isDeepStrictEqual(status, structuredClone(status))).to.equal(true);
        if (status.jobs?.[0]?.lastError) stats.jobErrors += 1;
        try {
          await api.patchNamespacedCustomObjectStatus(
            {
              group: GROUP,
              version: VERSION,
              namespace: NS,
              plural: PLURAL,
              name: 'prop',
              body: {
                apiVersion: API_VERSION,
                kind: KIND,
                metadata: { name: 'prop', namespace: NS },
                status,
              },
              fieldManager: FIELD_MANAGER,
              force: true,
              dryRun: 'All',
            },
            apply,
          );
        } catch (err) {
          const detail =
            err instanceof ApiException ? String(err.body).slice(0, 1500) : String(err);
          throw new Error(`the apiserver refused the status: ${detail}`, { cause: err });
        }
        stats.stored += 1;
      }),
      {
        numRuns: RUNS,
        endOnFailure: true,
        examples: EXAMPLES,
        ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
      },
    );
    if (run.failed) {
      // The counterexample may be megabytes: show its start and the error, and how to replay.
      const example = JSON.stringify(run.counterexample?.[0] ?? null);
      const error =
        run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance);
      throw new Error(
        `property failed after ${String(run.numRuns)} runs (FC_SEED=${String(run.seed)}, path ${String(run.counterexamplePath)}):\n` +
          `${error.slice(0, 1500)}\nbody (${String(example.length)} chars): ${example.slice(0, 800)}${example.length > 800 ? ' ...' : ''}`,
      );
    }
    process.stdout.write(
      `      ${String(stats.stored)} statuses accepted (${String(stats.jobErrors)} with the answer turned into a job error), ${String(stats.invalid)} InvalidResponse\n`,
    );
    expect(stats.stored, 'some answers were stored').to.be.greaterThan(RUNS / 4);
  });
});

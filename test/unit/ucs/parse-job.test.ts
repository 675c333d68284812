import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { parseJob, type UcsJob } from '../../../src/ucs/index.js';
import { exactUcsJobSchema, parseUcsJob, ucsJobSchema } from '../../../src/ucs/job.js';
import { SEED_BODY } from './local-servers.js';

const SEED_SHA256 = '4192bf2b4ff0a17e3cfe6e1f1e72884575a79a49d18216c737e0a6f777d5c618';

function ok(body: string): UcsJob {
  const result = parseJob(body);
  if (!result.ok) throw new Error(`expected a job, got: ${result.message}`);
  return result.job;
}

function fails(body: string): string {
  const result = parseJob(body);
  if (result.ok) throw new Error(`expected InvalidResponse, got ${JSON.stringify(result.job)}`);
  return result.message;
}

describe('ucs job parsing', () => {
  it('reads every value of the seed example, byte for byte from the API page', () => {
    // The fixture is the API page's example as published (unindented, "key" : value). A
    // formatter run over test/fixtures changes it: restore it from the seed page.
    expect(
      createHash('sha256').update(SEED_BODY).digest('hex'),
      'test/fixtures/seed-job.json is no longer the seed example byte for byte',
    ).to.equal(SEED_SHA256);
    const job = ok(SEED_BODY);
    expect(job.kind).to.equal('job');
    expect(job.apiVersion).to.equal('job.workflow.io/v1alpha1');
    expect(job.metadata).to.deep.equal({
      name: 'UpdateConstraint_2ea2e874',
      uid: 'c7678551-1f7e-4699-9ea1-3baa2d32f552',
      creationTimestamp: '2025-11-10 07:24:03.529155 +0000 UTC',
      updateTimestamp: '2025-11-10 07:24:08.526889 +0000 UTC',
    });
    expect(job.spec?.domainID).to.equal('05495693d180d3c90f9ec0171879f760');
    expect(job.spec?.operation).to.equal('create');
    expect(job.spec?.waitTimeOut).to.equal(3600);
    expect(job.spec?.type).to.equal('UpdateConstraint');
    expect(job.spec?.extendParam).to.deep.equal({
      constraintID: 'eb6e4196-1508-49d3-98a5-ee656d146c4f',
    });
    expect(job.spec?.relatedObjects).to.equal(undefined);
    expect(job.spec?.taskList).to.have.length(1);
    const task = job.spec?.taskList?.[0];
    expect(task?.kind).to.equal('task');
    expect(task?.apiVersion).to.equal('task.workflow.io/v1alpha1');
    expect(task?.metadata).to.deep.equal({
      name: 'be72df63-7dfa-426d-acc9-6c426c4e979c',
      uid: 'b387d7e9-b99f-4914-acf6-cd666b7473aa',
      creationTimestamp: '2025-11-10 07:24:03.536701 +0000 UTC',
      updateTimestamp: '2025-11-10 07:24:08.513561 +0000 UTC',
    });
    expect(task?.spec).to.deep.equal({
      jobID: 'c7678551-1f7e-4699-9ea1-3baa2d32f552',
      target: 'be72df63-7dfa-426d-acc9-6c426c4e979c',
      targetType: 'cluster',
      type: 'UpdateConstraint',
      runway: 'parallel',
      waitTimeOut: 3600,
    });
    expect(task?.status).to.deep.equal({
      status: 'Succeeded',
      startTime: '2025-11-10T15:24:03.553733+08:00',
      finishTime: '2025-11-10T15:24:04.689462+08:00',
    });
    expect(job.status).to.deep.equal({
      status: 'Succeeded',
      startTime: '2025-11-10T15:24:03.540316+08:00',
      finishTime: '2025-11-10T15:24:08.524767+08:00',
    });
    // Nothing invented, nothing lost: the parse is the document itself.
    expect(job).to.deep.equal(JSON.parse(SEED_BODY));
  });

  it('accepts a job with every field missing, and null as absent', () => {
    expect(ok('{}')).to.deep.equal({});
    const job = ok(
      '{"kind":null,"metadata":null,"spec":{"taskList":null,"waitTimeOut":null,"relatedObjects":null},"status":{"status":null}}',
    );
    expect(job.kind).to.equal(undefined);
    expect(job.metadata).to.equal(undefined);
    expect(job.spec?.taskList).to.equal(undefined);
    expect(job.spec?.waitTimeOut).to.equal(undefined);
    expect(job.status?.status).to.equal(undefined);
    const bare = ok('{"spec":{"taskList":[{}]}}');
    expect(bare.spec?.taskList).to.deep.equal([{}]);
  });

  it('keeps unknown fields at every level', () => {
    const job = ok(
      JSON.stringify({
        extra: { nested: [1, 2] },
        metadata: { name: 'n', futureField: true },
        spec: { taskList: [{ spec: { target: 't', newThing: 'x' }, added: 1 }], more: null },
        status: { status: 'Running', progress: '3/4' },
      }),
    );
    expect((job as Record<string, unknown>).extra).to.deep.equal({ nested: [1, 2] });
    expect((job.metadata as Record<string, unknown>).futureField).to.equal(true);
    expect((job.spec as Record<string, unknown>).more).to.equal(null);
    const task = job.spec?.taskList?.[0] as Record<string, unknown>;
    expect(task.added).to.equal(1);
    expect((job.spec?.taskList?.[0]?.spec as Record<string, unknown>).newThing).to.equal('x');
    expect((job.status as Record<string, unknown>).progress).to.equal('3/4');
  });

  it('tolerates vague scalar types', () => {
    const job = ok(
      JSON.stringify({
        kind: 7,
        metadata: {
          generation: 3,
          resourceVersion: 12,
          labels: { a: 1, b: true, c: null, d: 'x' },
          ownerReferences: [{ controller: 'true', blockOwnerDeletion: 'false', uid: 5 }],
        },
        spec: {
          waitTimeOut: '3600',
          taskList: [{ spec: { waitTimeOut: ' 60 ' } }],
          relatedObjects: { x: 2 },
        },
        status: { status: 'Failed', reason: 404 },
      }),
    );
    expect(job.kind).to.equal('7');
    expect(job.metadata?.generation).to.equal('3');
    expect(job.metadata?.resourceVersion).to.equal('12');
    expect(job.metadata?.labels).to.deep.equal({ a: '1', b: 'true', d: 'x' });
    expect(job.metadata?.ownerReferences?.[0]).to.deep.equal({
      controller: true,
      blockOwnerDeletion: false,
      uid: '5',
    });
    expect(job.spec?.waitTimeOut).to.equal(3600);
    expect(job.spec?.taskList?.[0]?.spec?.waitTimeOut).to.equal(60);
    expect(job.spec?.relatedObjects).to.deep.equal({ x: '2' });
    expect(job.status?.reason).to.equal('404');
    // generation stays a string, as documented, even when it looks like a number.
    expect(ok('{"metadata":{"generation":"5"}}').metadata?.generation).to.equal('5');
  });

  it('rejects structurally wrong containers and unrepresentable scalars, naming the path', () => {
    const cases: [string, string][] = [
      ['{"spec":{"taskList":"none"}}', 'spec.taskList'],
      ['{"spec":{"taskList":{"0":{}}}}', 'spec.taskList'],
      ['{"spec":{"taskList":[null]}}', 'spec.taskList.0'],
      ['{"spec":{"taskList":[{"status":"Running"}]}}', 'spec.taskList.0.status'],
      ['{"metadata":"x"}', 'metadata'],
      ['{"metadata":{"labels":["a"]}}', 'metadata.labels'],
      ['{"metadata":{"labels":{"a":{"b":1}}}}', 'metadata.labels.a'],
      ['{"status":[]}', 'status'],
      ['{"status":{"status":{"phase":"Succeeded"}}}', 'status.status'],
      ['{"spec":{"waitTimeOut":"soon"}}', 'spec.waitTimeOut'],
      ['{"spec":{"extendParam":"x"}}', 'spec.extendParam'],
      [
        '{"metadata":{"ownerReferences":[{"controller":"yes"}]}}',
        'metadata.ownerReferences.0.controller',
      ],
    ];
    for (const [body, path] of cases) {
      expect(fails(body), body).to.include(`${path}:`);
    }
  });

  it('rejects bodies that are not a JSON object, without echoing them', () => {
    expect(fails('')).to.include('not JSON (empty body)');
    expect(fails('<html>secret page</html>')).to.match(/not JSON \(\d+ bytes\)/);
    expect(fails('<html>secret page</html>')).not.to.include('secret');
    expect(fails('{"kind":')).to.include('not JSON');
    expect(fails('[]')).to.include('not an object (an array)');
    expect(fails('[{"kind":"job"}]')).to.include('an array');
    expect(fails('null')).to.include('not an object (null)');
    expect(fails('"job"')).to.include('not an object (string)');
    expect(fails('42')).to.include('not an object (number)');
  });
});

/** Every field path of a schema: objects' keys, through optional, preprocess and arrays. */
function fieldPaths(schema: z.core.$ZodType, at = ''): string[] {
  const def = schema._zod.def as unknown as {
    type: string;
    shape?: Record<string, z.core.$ZodType>;
    innerType?: z.core.$ZodType;
    out?: z.core.$ZodType;
    element?: z.core.$ZodType;
  };
  if (def.type === 'optional' && def.innerType) return fieldPaths(def.innerType, at);
  if (def.type === 'pipe' && def.out) return fieldPaths(def.out, at);
  if (def.type === 'array' && def.element) return fieldPaths(def.element, `${at}[]`);
  if (def.type === 'object' && def.shape) {
    return Object.entries(def.shape).flatMap(([key, field]) => [
      `${at}.${key}`,
      ...fieldPaths(field, `${at}.${key}`),
    ]);
  }
  return [`${at}:${def.type}`];
}

describe('parseUcsJob: the exact fast path', () => {
  const seed = JSON.parse(SEED_BODY) as Record<string, unknown>;
  const bodies = [
    SEED_BODY,
    '{}',
    '{"spec":{"taskList":[{}]}}',
    '{"kind":null,"metadata":null,"spec":{"taskList":null,"waitTimeOut":null},"status":{"status":null}}',
    '{"kind":7,"metadata":{"generation":3,"labels":{"a":1,"c":null}},"spec":{"waitTimeOut":"3600"}}',
    '{"metadata":{"ownerReferences":[{"controller":"true","uid":5}]},"status":{"reason":404}}',
    '{"extra":{"nested":[1,2]},"metadata":{"name":"n","futureField":true},"spec":{"more":null}}',
    '{"spec":{"taskList":"none"}}',
    '{"spec":{"taskList":[null]}}',
    '{"metadata":{"labels":{"a":{"b":1}}}}',
    '{"spec":{"waitTimeOut":"soon"}}',
    '{"metadata":{"ownerReferences":[{"controller":"yes"}]}}',
  ];

  it('reads the same fields as the tolerant schema, with the documented types', () => {
    const exact = fieldPaths(exactUcsJobSchema);
    const tolerant = fieldPaths(ucsJobSchema);
    expect(exact).to.deep.equal(tolerant);
    expect(tolerant).to.include.members([
      '.spec.taskList[].status.status:string',
      '.spec.waitTimeOut:number',
    ]);
  });

  it('gives what the tolerant schema gives: data, conversions and errors alike', () => {
    for (const body of bodies) {
      const value: unknown = JSON.parse(body);
      expect(parseUcsJob(value), body).to.deep.equal(ucsJobSchema.safeParse(value));
    }
  });

  it('takes the usual answer itself, and leaves nulls and converted scalars to the tolerant rules', () => {
    expect(exactUcsJobSchema.safeParse(seed).success, 'the seed example').to.equal(true);
    expect(exactUcsJobSchema.safeParse(JSON.parse(bodies[3] ?? '')).success).to.equal(false);
    expect(exactUcsJobSchema.safeParse(JSON.parse(bodies[4] ?? '')).success).to.equal(false);
  });
});

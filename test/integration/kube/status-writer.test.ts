import { expect } from 'chai';
import type { PolicyJobWatchStatus } from '../../../src/api/index.js';
import { StatusTooLargeError } from '../../../src/controller/ports.js';
import { StatusWriter } from '../../../src/kube/status-writer.js';
import { adminKubeConfig } from '../../support/control-plane.js';
import { installCrd } from '../../support/crd.js';
import { PolicyJobWatchClient } from '../../support/policyjobwatch-client.js';

const NS = 'kube-status-writer';

/** A status of about `bytes` bytes of JSON, valid for the CRD: jobs of tasks with long targets. */
function statusOf(bytes: number): PolicyJobWatchStatus {
  const tasks = Math.ceil(bytes / 1030);
  const perJob = 1000;
  return {
    observedGeneration: 1,
    jobs: Array.from({ length: Math.ceil(tasks / perJob) }, (_, j) => ({
      jobID: `job-${String(j)}`,
      phase: 'Running',
      tasks: Array.from({ length: Math.min(perJob, tasks - j * perJob) }, () => ({
        target: 't'.repeat(1000),
      })),
    })),
  };
}

describe('StatusWriter (kube-apiserver)', () => {
  const client = new PolicyJobWatchClient(adminKubeConfig, NS);
  let writer: StatusWriter;

  before(async () => {
    await installCrd(adminKubeConfig());
    await client.core.createNamespace({ body: { metadata: { name: NS } } });
    await client.create('w', { jobIDs: ['job-0'] });
    writer = new StatusWriter(adminKubeConfig());
  });

  after(async () => {
    await client.core.deleteNamespace({ name: NS });
  });

  it('writes a status and returns the new resourceVersion', async () => {
    const rv = await writer.apply(NS, 'w', statusOf(1_000));
    expect(rv).to.match(/^\d+$/);
    expect((await client.get('w')).status?.jobs).to.have.length(1);
  });

  it('returns undefined for a resource that is gone', async () => {
    expect(await writer.apply(NS, 'gone', statusOf(1_000))).to.equal(undefined);
  });

  for (const [what, bytes] of [
    ['over the 3 MiB body limit (413)', 3_500_000],
    ["over etcd's 1.5 MiB request limit", 1_700_000],
  ] as const) {
    it(`turns a refusal for size into StatusTooLargeError: ${what}`, async () => {
      const err = await writer.apply(NS, 'w', statusOf(bytes)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(StatusTooLargeError);
      expect((err as Error).message).to.match(/too large|larger than max/i);
    });
  }
});

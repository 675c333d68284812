import { expect } from 'chai';
import type { PolicyJobWatch } from '../../../src/api/index.js';
import {
  PIPELINE_OLD_JOB,
  PIPELINE_RESOURCE,
  PipelineAct,
} from '../../../src/demo/pipeline-act.js';

const at = (selected: string[], phase: string): PolicyJobWatch =>
  ({
    apiVersion: 'ucs.policyjobwatch.io/v1alpha1',
    kind: 'PolicyJobWatch',
    metadata: { name: PIPELINE_RESOURCE },
    spec: {},
    status: { phase, selectedJobIDs: selected },
  }) as unknown as PolicyJobWatch;

describe('PipelineAct (the demo act)', () => {
  it('starts the new job once the old one shows Succeeded, then wants it Running, then Succeeded', () => {
    const act = new PipelineAct();
    expect(act.observe(undefined)).to.equal(undefined);
    expect(act.observe(at([], 'Pending'))).to.equal(undefined);
    expect(act.observe(at([PIPELINE_OLD_JOB], 'Succeeded'))).to.deep.equal({ start: true });
    act.started('job-new');
    expect(act.newJobID).to.equal('job-new');
    // Still on the old job: nothing yet; a Succeeded new job never seen Running does not count.
    expect(act.observe(at([PIPELINE_OLD_JOB], 'Succeeded'))).to.equal(undefined);
    expect(act.observe(at(['job-new'], 'Succeeded'))).to.equal(undefined);
    expect(act.done).to.equal(false);
    expect(act.observe(at(['job-new'], 'Running')))
      .to.have.property('say')
      .that.includes('Running');
    expect(act.done).to.equal(false);
    expect(act.observe(at(['job-new'], 'Succeeded')))
      .to.have.property('say')
      .that.includes('Succeeded');
    expect(act.done).to.equal(true);
  });
});

import { expect } from 'chai';
import type { PolicyJobWatch } from '../../../src/api/index.js';
import { checkSettling, resourceState } from '../../../src/demo/settling.js';

type Cond = [type: string, status: string, reason: string];

function pjw(
  name: string,
  phase: string | undefined,
  conditions: Cond[],
  generations: { generation?: number; observed?: number } = {},
): PolicyJobWatch {
  const generation = generations.generation ?? 1;
  const observed = 'observed' in generations ? generations.observed : generation;
  return {
    apiVersion: 'ucs.policyjobwatch.io/v1alpha1',
    kind: 'PolicyJobWatch',
    metadata: { name, generation },
    spec: { jobIDs: ['j'] },
    ...(phase === undefined
      ? {}
      : {
          status: {
            ...(observed === undefined ? {} : { observedGeneration: observed }),
            phase,
            conditions: conditions.map(([type, status, reason]) => ({
              type,
              status,
              reason,
              message: '',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            })),
          },
        }),
  } as PolicyJobWatch;
}

const READY: Cond = ['Ready', 'True', 'JobsSucceeded'];
const RUNNING: Cond[] = [
  ['Ready', 'False', 'JobsRunning'],
  ['Reconciling', 'True', 'JobsRunning'],
];
const FAILED: Cond[] = [
  ['Ready', 'False', 'JobFailed'],
  ['Stalled', 'True', 'JobFailed'],
];

describe('demo: settling', () => {
  it('calls a resource settled when Ready=True or Stalled=True for its current generation', () => {
    expect(resourceState(pjw('a', 'Succeeded', [READY])).settled).to.equal(true);
    expect(resourceState(pjw('a', 'Failed', FAILED))).to.deep.equal({
      name: 'a',
      phase: 'Failed',
      settled: true,
      reason: 'JobFailed',
    });
    expect(resourceState(pjw('a', 'Running', RUNNING)).settled).to.equal(false);
    expect(resourceState(pjw('a', undefined, [])).settled).to.equal(false);
    expect(resourceState(pjw('a', undefined, [])).phase).to.equal('Pending');
    // A status computed for an older spec says nothing about the current one.
    expect(
      resourceState(pjw('a', 'Succeeded', [READY], { generation: 2, observed: 1 })).settled,
    ).to.equal(false);
    expect(resourceState(pjw('a', 'Succeeded', [READY], { observed: undefined })).settled).to.equal(
      false,
    );
  });

  const expected = { ok: 'Succeeded', bad: 'Failed' };

  it('waits for every expected resource, missing ones included', () => {
    const report = checkSettling([pjw('ok', 'Succeeded', [READY])], expected);
    expect(report).to.deep.equal({
      settled: false,
      waitingFor: ['bad'],
      unexpected: [],
      settledCount: 1,
      expectedCount: 2,
    });
    expect(
      checkSettling([pjw('ok', 'Running', RUNNING), pjw('bad', 'Running', RUNNING)], expected)
        .waitingFor,
    ).to.deep.equal(['ok', 'bad']);
  });

  it('is settled as expected when every phase is the expected one; other resources do not count', () => {
    const report = checkSettling(
      [
        pjw('ok', 'Succeeded', [READY]),
        pjw('bad', 'Failed', FAILED),
        pjw('mine', 'Running', RUNNING),
      ],
      expected,
    );
    expect(report.settled).to.equal(true);
    expect(report.unexpected).to.deep.equal([]);
  });

  it('names each resource that settled in another phase than expected', () => {
    const report = checkSettling(
      [
        pjw('ok', 'Failed', [
          ['Ready', 'False', 'Unauthorized'],
          ['Stalled', 'True', 'Unauthorized'],
        ]),
        pjw('bad', 'Failed', FAILED),
      ],
      expected,
    );
    expect(report.settled).to.equal(true);
    expect(report.unexpected).to.deep.equal(['ok: Failed (Unauthorized), expected Succeeded']);
  });
});

import { expect } from 'chai';
import { DEFAULT_EVENT_MAX_QUEUED } from '../../../src/kube/event-recorder.js';
import { OperatorMetrics, withThousands } from '../../../src/runtime/metrics.js';

describe('OperatorMetrics help texts', () => {
  it('writes numbers with thousands separators, as en-US does, without Intl', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 50_000, 1_234_567, 10_000_000])
      expect(withThousands(n), String(n)).to.equal(n.toLocaleString('en-US'));
  });

  it("states the event queue's backstop cap", async () => {
    const metrics = new OperatorMetrics({ processMetrics: false });
    const text = await metrics.registry.metrics();
    expect(text).to.include(
      `# HELP policyjobwatch_events_dropped_total Events not recorded because the event queue was at its backstop cap of ${DEFAULT_EVENT_MAX_QUEUED.toLocaleString('en-US')} `,
    );
  });
});

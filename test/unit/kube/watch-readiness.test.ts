import { expect } from 'chai';
import {
  WATCH_BROKEN_READY_BOUND_MS,
  watchReadiness,
} from '../../../src/kube/resource-informer.js';

describe('watchReadiness (/readyz)', () => {
  const bound = WATCH_BROKEN_READY_BOUND_MS;
  const table: [string, boolean, number | undefined, number, boolean][] = [
    ['not synced yet', false, undefined, 0, false],
    ['synced, the watch open', true, undefined, 10 * bound, true],
    ['the watch broken for less than the bound', true, 0, bound - 1, true],
    ['the watch broken for exactly the bound', true, 0, bound, true],
    ['the watch broken for longer than the bound', true, 0, bound + 1, false],
  ];
  for (const [name, synced, brokenSince, now, ready] of table) {
    it(`${name}: ${ready ? 'ready' : 'unready'}`, () => {
      const answer = watchReadiness({ synced, brokenSince }, now);
      expect(answer.ready).to.equal(ready);
      if (!ready) expect(answer.reason).to.match(/not synced|broken for \d+s \(bound 60s\)/);
    });
  }

  it('is bounded at one minute, as the README says', () => {
    expect(WATCH_BROKEN_READY_BOUND_MS).to.equal(60_000);
  });
});
